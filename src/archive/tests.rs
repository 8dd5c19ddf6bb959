use super::*;
use std::io::Write;

/// A raw tar header (USTAR) with the given name, type flag and size.
fn raw_header(name: &str, kind: u8, size: u64, link: &str) -> [u8; 512] {
    let mut h = tar::Header::new_ustar();
    h.as_mut_bytes()[..name.len()].copy_from_slice(name.as_bytes());
    h.set_mode(0o644);
    h.set_size(size);
    h.set_entry_type(tar::EntryType::new(kind));
    if !link.is_empty() {
        h.as_mut_bytes()[157..157 + link.len()].copy_from_slice(link.as_bytes());
    }
    h.set_cksum();
    *h.as_bytes()
}

/// A gzipped tar of raw entries (name, type flag, data, link target).
fn hostile(entries: &[(&str, u8, &[u8], &str)]) -> Vec<u8> {
    let mut tar = Vec::new();
    for (name, kind, data, link) in entries {
        tar.extend_from_slice(&raw_header(name, *kind, data.len() as u64, link));
        tar.extend_from_slice(data);
        tar.extend(std::iter::repeat_n(0u8, (512 - data.len() % 512) % 512));
    }
    tar.extend(std::iter::repeat_n(0u8, 1024));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

fn refused(bytes: &[u8]) -> String {
    match read_tgz(bytes, &Limits::default()) {
        Err(ArchiveError::Refused { message, .. }) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn round_trip_keeps_order_and_bytes() {
    let entries = vec![
        Entry::new("demo/Chart.yaml", "name: demo\n"),
        Entry::new("demo/values.yaml", ""),
        Entry::new("demo/templates/a.yaml", vec![7u8; 1000]),
    ];
    let bytes = write_tgz(&entries, 0).unwrap();
    assert_eq!(read_tgz(&bytes, &Limits::default()).unwrap(), entries);
}

#[test]
fn writer_is_deterministic_and_honours_mtime() {
    let entries = vec![Entry::new("demo/Chart.yaml", "x")];
    let a = write_tgz(&entries, 0).unwrap();
    assert_eq!(a, write_tgz(&entries, 0).unwrap());
    let b = write_tgz(&entries, 1_700_000_000).unwrap();
    assert_ne!(a, b);
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(&b[..]));
    let e = ar.entries().unwrap().next().unwrap().unwrap();
    assert_eq!(e.header().mtime().unwrap(), 1_700_000_000);
    assert_eq!(e.header().mode().unwrap(), 0o644);
    assert_eq!(e.header().uid().unwrap(), 0);
    assert!(e.header().as_ustar().is_some());
}

#[test]
fn long_names_use_the_ustar_prefix() {
    let name = format!("demo/{}/{}", "d".repeat(120), "f".repeat(90));
    let bytes = write_tgz(&[Entry::new(name.clone(), "x")], 0).unwrap();
    assert_eq!(read_tgz(&bytes, &Limits::default()).unwrap()[0].name, name);
    // Longer or non-ASCII names get a PAX record, like Go writes them.
    for long in [
        format!("demo/{}", "f".repeat(120)),
        "demo/ünïcode.txt".to_string(),
    ] {
        let bytes = write_tgz(&[Entry::new(long.clone(), "x")], 0).unwrap();
        let back = read_tgz(&bytes, &Limits::default()).unwrap();
        assert_eq!(back, [Entry::new(long, "x")]);
    }
}

#[test]
fn writer_refuses_duplicates() {
    let e = Entry::new("demo/a", "x");
    assert!(write_tgz(&[e.clone(), e], 0).is_err());
}

#[test]
fn refuses_parent_directory_entry() {
    let msg = refused(&hostile(&[("demo/../../etc/passwd", b'0', b"x", "")]));
    assert!(msg.contains("parent directory"), "{msg}");
}

#[test]
fn refuses_absolute_path() {
    let msg = refused(&hostile(&[("/etc/passwd", b'0', b"x", "")]));
    assert!(msg.contains("absolute"), "{msg}");
}

#[test]
fn refuses_symlink() {
    let msg = refused(&hostile(&[("demo/link", b'2', b"", "/etc/passwd")]));
    assert!(msg.contains("link"), "{msg}");
}

#[test]
fn refuses_hard_link() {
    let msg = refused(&hostile(&[
        ("demo/a", b'0', b"x", ""),
        ("demo/b", b'1', b"", "demo/a"),
    ]));
    assert!(msg.contains("link"), "{msg}");
}

#[test]
fn refuses_duplicate_entries() {
    let msg = refused(&hostile(&[
        ("demo/a", b'0', b"x", ""),
        ("demo/./a", b'0', b"y", ""),
    ]));
    assert!(msg.contains("duplicate"), "{msg}");
}

#[test]
fn refuses_chart_named_dot_dot() {
    let msg = refused(&hostile(&[("../Chart.yaml", b'0', b"name: x", "")]));
    assert!(msg.contains(".."), "{msg}");
    let msg = refused(&hostile(&[("./Chart.yaml", b'0', b"name: x", "")]));
    assert!(msg.contains("'.'"), "{msg}");
}

#[test]
fn refuses_device_entries_and_top_level_files() {
    assert!(refused(&hostile(&[("demo/dev", b'3', b"", "")])).contains("irregular"));
    assert!(refused(&hostile(&[("Chart.yaml", b'0', b"x", "")])).contains("outside"));
}

/// A 2 GiB zero-filled file in a ~2 MiB gzip: one member with the tar
/// header, then the same 1 MiB-of-zeros member repeated (gzip readers,
/// Go's and ours, read concatenated members as one stream).
fn gzip_bomb(claimed_size: u64) -> Vec<u8> {
    let mib = vec![0u8; 1 << 20];
    let mut first = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    first
        .write_all(&raw_header("demo/zeros", b'0', claimed_size, ""))
        .unwrap();
    first.write_all(&mib).unwrap();
    let mut out = first.finish().unwrap();
    let mut member = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    member.write_all(&mib).unwrap();
    let member = member.finish().unwrap();
    for _ in 1..2048 {
        out.extend_from_slice(&member);
    }
    out
}

#[test]
fn refuses_two_gigabyte_gzip_bomb() {
    let bomb = gzip_bomb(2 << 30);
    assert!(bomb.len() < 8 << 20, "bomb is {} bytes", bomb.len());
    let msg = refused(&bomb);
    assert!(msg.contains("maximum file size"), "{msg}");
    // A file within the per-file bound but over the total bound.
    let limits = Limits {
        max_total: 1 << 20,
        max_file: 4 << 30,
        ..Limits::default()
    };
    let msg = match read_tgz(&bomb, &limits) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("bomb accepted"),
    };
    assert!(msg.contains("maximum size"), "{msg}");
}

#[test]
fn total_and_count_limits() {
    let entries: Vec<Entry> = (0..5)
        .map(|i| Entry::new(format!("demo/f{i}"), vec![b'a'; 100]))
        .collect();
    let bytes = write_tgz(&entries, 0).unwrap();
    let small = Limits {
        max_total: 250,
        ..Limits::default()
    };
    assert!(read_tgz(&bytes, &small).is_err());
    let few = Limits {
        max_files: 3,
        ..Limits::default()
    };
    assert!(
        read_tgz(&bytes, &few)
            .unwrap_err()
            .to_string()
            .contains("more than 3")
    );
    assert_eq!(read_tgz(&bytes, &Limits::default()).unwrap().len(), 5);
}

#[test]
fn strip_chart_dir_requires_one_top_directory() {
    let (name, files) =
        strip_chart_dir(vec![Entry::new("a/x", "1"), Entry::new("a/y/z", "2")]).unwrap();
    assert_eq!(name, "a");
    assert_eq!(files[1].name, "y/z");
    assert!(strip_chart_dir(vec![Entry::new("a/x", "1"), Entry::new("b/x", "2")]).is_err());
}

#[test]
fn sanitize_escapes_controls() {
    assert_eq!(sanitize("1.0\u{1b}[31m\n"), "1.0\\u{1b}[31m\\u{a}");
    assert_eq!(sanitize("plain ü"), "plain ü");
}

#[test]
fn skipped_entries_count_towards_the_stream_bound() {
    // PAX global headers carry data the reader skips; the decompressed
    // stream is still bounded, so they cannot be used to inflate it.
    let big = vec![b' '; 1 << 20];
    let bytes = hostile(&[
        ("g1", b'g', &big, ""),
        ("g2", b'g', &big, ""),
        ("g3", b'g', &big, ""),
        ("demo/a", b'0', b"x", ""),
    ]);
    let limits = Limits {
        max_total: 1 << 20,
        max_files: 1,
        ..Limits::default()
    };
    let msg = match read_tgz(&bytes, &limits) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("inflated stream accepted"),
    };
    assert!(msg.contains("size limit"), "{msg}");
}
