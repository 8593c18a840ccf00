//! `kubesim validate FILE...`: checks scenarios and manifests (files or directories).

use super::{EXIT_INPUT, display};
use crate::diag::{Diagnostic, Diagnostics};
use crate::load::Loader;
use crate::scenario::{is_scenario_text, load_scenario};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Scenario files, manifest files or directories of manifests.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Hide warnings.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the verb.
pub fn validate(a: ValidateArgs) -> i32 {
    let mut errors = Diagnostics::default();
    let mut warnings: Vec<Diagnostic> = Vec::new();
    let mut summary = Vec::new();
    for f in &a.files {
        let shown = display(f);
        let is_scenario = f.is_file()
            && std::fs::read_to_string(f)
                .map(|t| is_scenario_text(&t))
                .unwrap_or(false);
        if is_scenario {
            match load_scenario(f, &shown) {
                Ok(s) => {
                    summary.push(format!(
                        "{shown}: scenario {:?}: {} pool(s), {} object(s) at start, {} timed event(s), {} load source(s)",
                        s.name,
                        s.pools.len(),
                        s.initial.len(),
                        s.events.len(),
                        s.load.len()
                    ));
                    warnings.extend(s.warnings);
                }
                Err(e) => errors.extend(e),
            }
        } else if f.exists() {
            let mut l = Loader::new();
            l.load_path(f, &shown);
            match l.finish() {
                Ok(set) => {
                    let mut i = crate::model::Interner::new();
                    let mut bad = false;
                    for o in &set.objects {
                        if let Err(d) = crate::sim::apply::convert_check(o, &mut i) {
                            errors.push(d);
                            bad = true;
                        }
                    }
                    for doc in &set.scheduler_configs {
                        match crate::scheduler::config::parse(doc) {
                            Ok((cfg, w)) => {
                                warnings.extend(w);
                                if let Err(d) = crate::scheduler::config::build_profiles(
                                    &cfg,
                                    &crate::scheduler::registry::Registry::in_tree(),
                                    &mut i,
                                ) {
                                    errors.push(d);
                                    bad = true;
                                }
                            }
                            Err(d) => {
                                errors.push(d);
                                bad = true;
                            }
                        }
                    }
                    if !bad {
                        summary.push(format!(
                            "{shown}: {} simulated object(s), {} not simulated, {} scheduler configuration(s)",
                            set.objects.len(),
                            set.ignored.len(),
                            set.scheduler_configs.len()
                        ));
                    }
                    warnings.extend(set.warnings);
                }
                Err(e) => errors.extend(e),
            }
        } else {
            errors.push(Diagnostic::error(format!(
                "{shown}: no such file or directory"
            )));
        }
    }
    if !a.quiet {
        for w in &warnings {
            eprintln!("{w}");
        }
    }
    if errors.has_errors() {
        eprintln!("{errors}");
        eprintln!("kubesim: {} error(s)", errors.errors().count());
        return EXIT_INPUT;
    }
    for s in summary {
        println!("ok: {s}");
    }
    0
}
