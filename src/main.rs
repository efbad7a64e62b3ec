fn main() {
    std::process::exit(apigw_vtl::cli::run());
}
