// Checks the claim behind apigw-vtl's short path for Double.toString
// (src/eval/java_double.rs, write_short_decimal): for every decimal m × 10^-k
// with 1 <= m < 10^7 and k <= 6 whose nearest double d lies in [10^-3, 10^7),
// Java prints d as that decimal, trailing zeros dropped and at least one
// digit after the point. Run: java -cp corpus/oracle/build ShortDecimals
// (about 15 s; prints the count checked and any counterexamples).
public class ShortDecimals {
    static String decimal(long m, int k) {
        StringBuilder s = new StringBuilder(Long.toString(m));
        while (s.length() <= k) {
            s.insert(0, '0');
        }
        String whole = s.substring(0, s.length() - k);
        String fraction = s.substring(s.length() - k).replaceAll("0+$", "");
        return whole + "." + (fraction.isEmpty() ? "0" : fraction);
    }

    public static void main(String[] args) {
        long checked = 0, wrong = 0;
        double scale = 1;
        for (int k = 0; k <= 6; k++, scale *= 10) {
            for (long m = 1; m < 10_000_000L; m++) {
                double d = m / scale;
                if (d < 1e-3 || d >= 1e7) {
                    continue;
                }
                checked++;
                String expected = decimal(m, k), java = Double.toString(d);
                if (!expected.equals(java) && ++wrong <= 20) {
                    System.out.println("m=" + m + " k=" + k + ": Java " + java + ", decimal " + expected);
                }
            }
        }
        System.out.println(checked + " checked, " + wrong + " differ");
        System.exit(wrong == 0 ? 0 : 1);
    }
}
