use scalesim::scenario::Scenario;
fn main() {
    for f in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&f).unwrap();
        match Scenario::parse(&text, &f, &[]) {
            Ok(s) => println!("OK {} comps={}", s.name, s.components.len()),
            Err(e) => println!("{e}"),
        }
    }
}
