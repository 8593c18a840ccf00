//! The font PNG plots are drawn with (feature `png`): DejaVu Sans, embedded so no system font
//! is needed (its licence: `assets/fonts/DejaVuSans-LICENSE.txt`).

use plotters::style::{FontStyle, register_font};
use std::sync::Once;

static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded font as `sans-serif` (once).
pub fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font, so registration cannot fail in practice.
        let _ = register_font("sans-serif", FontStyle::Normal, FONT);
    });
}
