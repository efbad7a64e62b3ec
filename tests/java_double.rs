//! `Double.toString` digits against Java 17: each line of the data file is
//! a double's bits in hex and what Java 17 printed for it (generated with a
//! small Java program over random bit patterns, magnitudes, whole numbers
//! and subnormals).

#[test]
fn doubles_print_as_java_17() {
    let data = include_str!("data/java17-double-tostring.txt");
    let mut checked = 0;
    for line in data.lines() {
        let (hex, java) = line.split_once(' ').expect("hex and text");
        let d = f64::from_bits(u64::from_str_radix(hex, 16).expect("hex bits"));
        let mut ours = String::new();
        apigw_vtl::eval::java_double::write(d, &mut ours);
        assert_eq!(ours, java, "bits {hex}");
        checked += 1;
    }
    assert!(checked > 1000);
}
