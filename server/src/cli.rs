//! The command line: `onsplan serve [--demo]` and `onsplan demo`.

use std::process::ExitCode;

use crate::admin;
use crate::config::Config;
use crate::serve;

pub const USAGE: &str = "usage:
  onsplan serve [--demo]   run the server (with --demo: load the demo data first)
  onsplan demo             load the demo data, print how to sign in, and run the server
  onsplan admin …          the operator's commands (onsplan admin help lists them)";

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve {
        demo: bool,
    },
    /// `onsplan admin …`: the operator's commands (see `admin.rs`).
    Admin(Vec<String>),
}

pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let command = args.next().unwrap_or_else(|| "serve".to_string());
    let rest: Vec<String> = args.collect();
    match (command.as_str(), rest.as_slice()) {
        ("serve", []) => Ok(Command::Serve { demo: false }),
        ("serve", [flag]) if flag == "--demo" => Ok(Command::Serve { demo: true }),
        ("demo", []) => Ok(Command::Serve { demo: true }),
        ("admin", rest) => Ok(Command::Admin(rest.to_vec())),
        ("help" | "--help" | "-h", _) => Err("Onsplan".to_string()),
        _ => Err(format!("unknown command: {command} {}", rest.join(" "))),
    }
}

/// Runs a command; what the process exits with.
pub async fn run(command: Command, config: Config) -> ExitCode {
    match command {
        Command::Serve { demo } => match serve(config, demo).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Admin(args) => {
            let lang = admin::operator_lang(|key| std::env::var(key).ok());
            if args.is_empty() || args == ["help"] || args == ["--help"] {
                println!("{}", admin::usage(lang));
                return if args.is_empty() {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            match admin::run(&args, &config, lang).await {
                Ok(text) => {
                    println!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{}", e.message);
                    if e.usage {
                        eprintln!("\n{}", admin::usage(lang));
                        ExitCode::from(2)
                    } else {
                        ExitCode::FAILURE
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> impl Iterator<Item = String> {
        s.split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn parses_commands() {
        assert_eq!(parse(args("")), Ok(Command::Serve { demo: false }));
        assert_eq!(
            parse(args("serve --demo")),
            Ok(Command::Serve { demo: true })
        );
        assert_eq!(parse(args("demo")), Ok(Command::Serve { demo: true }));
        assert!(parse(args("serve --nope")).is_err());
    }
}
