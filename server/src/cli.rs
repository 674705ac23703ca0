//! The command line: `onsplan serve [--demo]` and `onsplan demo`.

use crate::config::Config;
use crate::{serve, ServerError};

pub const USAGE: &str = "usage:
  onsplan serve [--demo]   run the server (with --demo: load the demo data first)
  onsplan demo             load the demo data, print how to sign in, and run the server";

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Serve { demo: bool },
}

pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let command = args.next().unwrap_or_else(|| "serve".to_string());
    let rest: Vec<String> = args.collect();
    match (command.as_str(), rest.as_slice()) {
        ("serve", []) => Ok(Command::Serve { demo: false }),
        ("serve", [flag]) if flag == "--demo" => Ok(Command::Serve { demo: true }),
        ("demo", []) => Ok(Command::Serve { demo: true }),
        ("help" | "--help" | "-h", _) => Err("Onsplan".to_string()),
        _ => Err(format!("unknown command: {command} {}", rest.join(" "))),
    }
}

pub async fn run(command: Command, config: Config) -> Result<(), ServerError> {
    match command {
        Command::Serve { demo } => serve(config, demo).await,
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
