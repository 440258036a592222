//! The scenario parser alone, as fast as it goes: arbitrary bytes (as UTF-8, invalid
//! sequences replaced) through `Scenario::parse`, with and without an override that changes
//! nothing else. Each must return `Ok` or `Err`, never panic, hang or allocate without bound;
//! a file valid alone stays valid with the override, and an error always names at least one
//! problem. Nothing is run (the `scenario` target runs what validates), so this target
//! executes thousands of inputs a second and reaches the parser's corners sooner.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scalesim::{Override, Scenario};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Scenario::parse(&text, "fuzz", &[]) {
        Ok(s) => {
            let same: Override = format!("seed={}", s.seed).parse().unwrap();
            if let Err(e) = Scenario::parse(&text, "fuzz", &[same]) {
                panic!("valid alone, invalid with an override of the seed to itself:\n{e}");
            }
        }
        Err(e) => {
            assert!(!e.problems.is_empty(), "an error without a problem");
            let name: Override = "name=fuzz".parse().unwrap();
            let _ = Scenario::parse(&text, "fuzz", &[name]);
        }
    }
});
