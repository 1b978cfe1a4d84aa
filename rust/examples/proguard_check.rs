//! Checks per-method retracing against the `proguard` crate's whole-file mapper on a real
//! mapping (see `check_against_whole_file`):
//!
//!     cargo run --release --example proguard_check -- ../bench/data/proguard/real.txt
fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: proguard_check MAPPING");
    let text = std::fs::read_to_string(&path).expect("readable UTF-8 mapping");
    match sourcemap_native::proguard::check_against_whole_file(&text) {
        Ok(count) => println!("{path}: {count} frames retrace as with the whole file"),
        Err(difference) => {
            eprintln!("{path}: differs: {difference}");
            std::process::exit(1);
        }
    }
}
