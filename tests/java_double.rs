//! `Double.toString` and `Float.toString` against Java 17: each line of a
//! data file is a value's bits in hex and what Java 17 printed for it
//! (generated with a small Java program over random bit patterns,
//! magnitudes, whole numbers and subnormals).

/// Checks every line of `data`, printing the bits with `print`.
fn matches_java(data: &str, print: impl Fn(u64, &mut String)) {
    let mut checked = 0;
    for line in data.lines() {
        let (hex, java) = line.split_once(' ').expect("hex and text");
        let mut ours = String::new();
        print(u64::from_str_radix(hex, 16).expect("hex bits"), &mut ours);
        assert_eq!(ours, java, "bits {hex}");
        checked += 1;
    }
    assert!(checked > 1000);
}

#[test]
fn doubles_print_as_java_17() {
    matches_java(
        include_str!("data/java17-double-tostring.txt"),
        |bits, out| apigw_vtl::eval::java_double::write(f64::from_bits(bits), out),
    );
}

#[test]
fn floats_print_as_java_17() {
    matches_java(
        include_str!("data/java17-float-tostring.txt"),
        |bits, out| {
            let bits = u32::try_from(bits).expect("32-bit pattern");
            apigw_vtl::eval::java_double::write_float(f32::from_bits(bits), out)
        },
    );
}
