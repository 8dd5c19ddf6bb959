use super::*;

#[test]
fn body_parses_into_file_sums() {
    let body =
        "apiVersion: v2\nname: demo\nversion: 0.4.0\n\n...\nfiles:\n  demo-0.4.0.tgz: sha256:abc\n";
    let sums = parse_body(body).unwrap();
    assert_eq!(
        sums.get("demo-0.4.0.tgz").map(String::as_str),
        Some("sha256:abc")
    );
}
