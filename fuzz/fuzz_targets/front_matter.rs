//! Decoding and YAML front matter on arbitrary bytes, with and without a
//! leading `---` so that the fuzzer spends its time inside front matter.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = policykg::source::Source::parse("fuzz.md", data);
    let mut framed = b"---\n".to_vec();
    framed.extend_from_slice(data);
    let _ = policykg::source::Source::parse("fuzz.md", &framed);
});
