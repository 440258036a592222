//! Parses each scenario named on the command line, runs it, and prints the JSON summary.
//! A development aid; `scalesim run` is the real interface.
use scalesim::{RunOptions, Scenario};

fn main() {
    for f in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&f).expect("readable file");
        match Scenario::parse(&text, &f, &[]) {
            Ok(s) => match scalesim::run(&s, &RunOptions::default()) {
                Ok(r) => println!("{}", serde_json::to_string_pretty(&r).expect("json")),
                Err(e) => println!("{f}: {e}"),
            },
            Err(e) => println!("{e}"),
        }
    }
}
