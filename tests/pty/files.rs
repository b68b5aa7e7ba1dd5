//! The files of the terminal: the history file stays owner-only (also one that was not) and
//! keeps no credentials typed into an `s3://` URL; a history file or link planted by
//! another user is not used; the settings file is only ever read; the file `.edit` and
//! Ctrl-X Ctrl-E hand to the editor is owner-only, new, randomly named and removed after.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use super::{sh_quote, Term};

fn mode(p: &std::path::Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_history_file_is_made_private_and_keeps_no_s3_credentials() {
    let Some(term) = Term::new() else { return };
    let h = term.history_file();
    fs::write(&h, "").unwrap();
    fs::set_permissions(&h, fs::Permissions::from_mode(0o644)).unwrap();
    let s = term.start("litesh");
    s.run("select 'kept';");
    s.wait_line("kept");
    s.wait_prompt();
    s.run(".snapshot list s3://AKIDTYPED:SecretTyped99@bucket/repo");
    s.wait_for("cannot carry credentials");
    s.wait_prompt();
    s.key("C-d");
    s.wait_exit();
    assert_eq!(mode(&h), 0o600);
    let text = fs::read_to_string(&h).unwrap();
    assert!(text.contains("select 'kept';"), "{text}");
    assert!(
        text.contains(".snapshot list s3://[redacted]@bucket/repo"),
        "{text}"
    );
    assert!(
        !text.contains("SecretTyped99") && !text.contains("AKIDTYPED"),
        "{text}"
    );
}

/// Whether this process may give files away (`chown`): only root.
fn can_chown() -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    eprintln!(
        "\n!!!!! not root: the test of a history file owned by ANOTHER USER cannot make one \
         and checks only the decision itself (src/repl/history.rs). !!!!!\n"
    );
    false
}

#[test]
fn a_history_file_or_link_of_another_user_is_not_used() {
    let Some(term) = Term::new() else { return };
    if !can_chown() {
        return;
    }
    let nobody = Some(nix::unistd::Uid::from_raw(65534));
    let h = term.history_file();
    // A file someone else planted (to read what is typed)...
    fs::write(&h, "#V2\nselect 'planted';\n").unwrap();
    nix::unistd::chown(&h, nobody, None).unwrap();
    // ...and a link someone else planted (to have litesh append to, and chmod, a file).
    let victim = term.file("victim");
    fs::write(&victim, "precious\n").unwrap();
    let victim_mode = mode(&victim);
    let link = term.file("linked-history");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    nix::unistd::fchownat(
        nix::fcntl::AT_FDCWD,
        &link,
        nobody,
        None,
        nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
    )
    .unwrap();
    for (file, why) in [
        (h.clone(), "it is owned by uid 65534, not by you"),
        (
            link.clone(),
            "it is a symbolic link owned by uid 65534, not by you",
        ),
    ] {
        let before = fs::read(&file).unwrap();
        let s = term.start(&format!(
            "SQLITE_HISTORY={} litesh",
            sh_quote(&super::path_str(&file))
        ));
        // Compared without blanks: the screen wraps the line.
        let squeeze = |t: &str| t.split_whitespace().collect::<String>();
        let screen = s.wait_prompt();
        let said = format!(
            "litesh: not using the history file {}: {why}",
            file.display()
        );
        assert!(squeeze(&screen).contains(&squeeze(&said)), "{screen}");
        s.run("select 'typed';");
        s.wait_line("typed");
        s.wait_prompt();
        s.key("C-d");
        assert_eq!(s.wait_exit(), 0);
        assert_eq!(fs::read(&file).unwrap(), before);
    }
    assert_eq!(mode(&victim), victim_mode, "rustyline would chmod it 0600");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
}

#[test]
fn the_settings_file_is_only_read() {
    let Some(mut term) = Term::new() else { return };
    let config = term.config_file();
    fs::write(&config, "mode = \"line\"\nhistory_size = 5\n").unwrap();
    let before = fs::metadata(&config).unwrap();
    {
        let s = term.start("litesh");
        s.run("select 1 as one;");
        s.wait_for("one = 1");
        s.wait_prompt();
        s.key("C-d");
        s.wait_exit();
    }
    let after = fs::metadata(&config).unwrap();
    assert_eq!(
        (after.mtime(), after.mtime_nsec(), after.ino(), after.mode()),
        (
            before.mtime(),
            before.mtime_nsec(),
            before.ino(),
            before.mode()
        )
    );
    // A settings file that is not there is not created, neither at $LITESH_CONFIG nor in
    // the XDG directory.
    let missing = term.file("nowhere.toml");
    let xdg = term.file("xdg");
    fs::create_dir(&xdg).unwrap();
    term.set_env("LITESH_CONFIG", &super::path_str(&missing));
    term.set_env("XDG_CONFIG_HOME", &super::path_str(&xdg));
    for unset in [false, true] {
        if unset {
            term.unset_env("LITESH_CONFIG");
        }
        let s = term.start("litesh");
        s.run("select 2;");
        s.wait_line("2");
        s.wait_prompt();
        s.key("C-d");
        s.wait_exit();
    }
    assert!(!missing.exists());
    assert_eq!(fs::read_dir(&xdg).unwrap().count(), 0);
}

#[test]
fn the_editors_file_is_private_new_and_removed_after() {
    let Some(mut term) = Term::new() else { return };
    let tmp = term.file("tmp");
    fs::create_dir(&tmp).unwrap();
    let seen = term.file("seen");
    let editor = term.script(
        "editor.sh",
        &format!(
            "stat -c '%a %n' \"$1\" >> {}\nprintf 'select 40 + 2;\\n' > \"$1\"",
            sh_quote(&super::path_str(&seen))
        ),
    );
    term.set_env("EDITOR", &editor)
        .unset_env("VISUAL")
        .set_env("TMPDIR", &super::path_str(&tmp));
    let s = term.start("litesh");
    s.send("select 1");
    s.wait_for("sqlite> select 1");
    s.keys(&["C-x", "C-e"]);
    s.wait_line("42");
    s.wait_prompt();
    s.run(".edit");
    s.wait_lines("42", 2);
    s.wait_prompt();
    s.key("C-d");
    s.wait_exit();
    let seen = fs::read_to_string(&seen).unwrap();
    let files: Vec<(&str, &str)> = seen.lines().map(|l| l.split_once(' ').unwrap()).collect();
    assert_eq!(files.len(), 2, "{seen}");
    for (mode, path) in &files {
        assert_eq!(*mode, "600", "{seen}");
        let name = path.strip_prefix(&format!("{}/", tmp.display())).unwrap();
        assert!(
            name.starts_with("litesh-") && name.ends_with(".sql") && name.len() > 14,
            "{seen}"
        );
    }
    assert_ne!(files[0].1, files[1].1, "a fresh name each time");
    assert_eq!(fs::read_dir(&tmp).unwrap().count(), 0, "left behind");
}
