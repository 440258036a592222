//! The scenario loader: arbitrary bytes (read as UTF-8, invalid sequences replaced) must give
//! `Ok` or `Err` from `Scenario::parse`, never a panic, a hang or an unbounded allocation;
//! a scenario that validates is run briefly and must conserve requests, and stays valid with
//! an override that changes nothing else (one meaning with or without `--set`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use scalesim::{Override, Scenario};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(s) = Scenario::parse(&text, "fuzz", &[]) {
        let same: Override = format!("seed={}", s.seed).parse().unwrap();
        if let Err(e) = Scenario::parse(&text, "fuzz", &[same]) {
            panic!("valid alone, invalid with an override of the seed to itself:\n{e}");
        }
        scalesim_fuzz::run_short(&text, "fuzz", &[]);
    }
});
