//! The scenario loader: arbitrary bytes (read as UTF-8, invalid sequences replaced) must give
//! `Ok` or `Err` from `Scenario::parse`, never a panic, a hang or an unbounded allocation;
//! a scenario that validates is run briefly and must conserve requests.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scalesim::Scenario;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if Scenario::parse(&text, "fuzz", &[]).is_ok() {
        scalesim_fuzz::run_short(&text, "fuzz", &[]);
    }
});
