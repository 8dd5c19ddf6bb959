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
    assert_eq!(sums.len(), 1);
}

#[test]
fn body_parts_after_the_sums_are_ignored_like_helm() {
    let body = "name: demo\n...\nfiles:\n  a.tgz: sha256:1\n...\nimages: {}\n";
    assert_eq!(parse_body(body).unwrap().len(), 1);
}

#[test]
fn malformed_bodies_are_refused() {
    let err = parse_body("name: demo\nfiles:\n  a.tgz: sha256:1\n").unwrap_err();
    assert!(err.contains("no `...` line"), "{err}");
    let err = parse_body("- a\n- b\n...\nfiles: {}\n").unwrap_err();
    assert!(err.contains("not a YAML mapping"), "{err}");
    let err = parse_body("name: [\n...\nfiles: {}\n").unwrap_err();
    assert!(err.contains("metadata block is not YAML"), "{err}");
    let err = parse_body("name: demo\n...\nfiles: [1, 2]\n").unwrap_err();
    assert!(err.contains("file sums block"), "{err}");
}

#[test]
fn keyrings_that_are_not_keyrings_are_refused() {
    let err = |data: &[u8]| Keyring::parse(data, "ring").err().unwrap().to_string();
    assert!(err(b"").contains("empty"));
    assert!(err(b"hello\n").contains("neither binary OpenPGP data nor an armored key block"));
    assert!(err(&[0x1f, 0x8b, 0x08]).contains("neither binary"));
    let sig_block =
        b"-----BEGIN PGP SIGNATURE-----\n\nwsBcBAABCAAQBQJ=\n=AAAA\n-----END PGP SIGNATURE-----\n";
    assert!(!err(sig_block).is_empty());
    // A binary packet stream with no key in it.
    assert!(err(&[0xb4, 0x03, b'a', b'b', b'c']).contains("not a usable OpenPGP keyring"));
}

#[test]
fn a_message_that_is_not_clear_signed_is_malformed() {
    let ring = Keyring {
        path: "ring".into(),
        certificates: Vec::new(),
    };
    let e = verify(b"x", b"hello", "a.tgz", "a.tgz.prov", &ring).unwrap_err();
    assert!(matches!(e, ProvenanceError::Malformed { .. }), "{e}");
    let e = verify(
        b"x",
        b"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nname: a\n",
        "a.tgz",
        "a.tgz.prov",
        &ring,
    )
    .unwrap_err();
    assert!(matches!(e, ProvenanceError::Malformed { .. }), "{e}");
    let e = verify(b"x", &[0xff, 0xfe], "a.tgz", "a.tgz.prov", &ring).unwrap_err();
    assert!(e.to_string().contains("not text"), "{e}");
}

#[test]
fn report_prints_helm_lines_sanitized() {
    let v = Verification {
        signed_by: vec!["Eve \u{1b}[31m <e@x>".into()],
        fingerprint: "ABCD".into(),
        file_hash: "sha256:00".into(),
        file_name: "a.tgz".into(),
    };
    assert_eq!(
        v.report(),
        "Signed by: Eve \\u{1b}[31m <e@x>\nUsing Key With Fingerprint: ABCD\nChart Hash Verified: sha256:00\n"
    );
}

#[test]
fn message_block_has_helms_layout() {
    let block = sign::message_block(b"", "demo-0.1.0.tgz", "name: demo\nversion: 0.1.0\n");
    assert_eq!(
        block,
        "name: demo\nversion: 0.1.0\n\n...\nfiles:\n  demo-0.1.0.tgz: sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
    );
    assert_eq!(parse_body(&block).unwrap().len(), 1);
}
