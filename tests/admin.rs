//! The operator sets Onsplan up for real, with the same binary the server
//! runs: `onsplan admin …` against a running `onsplan serve`, a staff
//! member choosing their own password through a one-time link, accounts
//! disabled at once, a backup taken while the server runs and restored
//! into an empty data directory, and two instances on one store sharing
//! their keys (an invite made on one is used on the other), while a data
//! directory with another key is refused.

use onsplan_tests::process::{data_dir, free_port, Instance, Output, Setup};
use onsplan_tests::world::{between, Person};
use onsplan_tests::{fresh_db, stores, Store, TestDb};

const PASSWORD: &str = "een lang genoeg wachtwoord";

fn ok(out: &Output) -> &str {
    assert_eq!(
        out.code, 0,
        "stdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    &out.stdout
}

/// A refusal: a non-zero exit and this message, and nothing on stdout.
fn refused(out: &Output, message: &str) {
    assert_ne!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains(message), "{message:?} in {out:?}");
    assert!(out.stdout.trim().is_empty(), "{out:?}");
}

/// The one-time link an admin command printed.
fn link_in(stdout: &str) -> String {
    stdout
        .lines()
        .find(|l| l.contains("/set-password/"))
        .expect("a link")
        .trim()
        .to_string()
}

fn path_of(link: &str) -> String {
    format!("/set-password/{}", link.rsplit('/').next().unwrap())
}

/// An organisation and its coach Sara, made by the operator; the one-time
/// link Sara was given.
fn org_and_coach(setup: &Setup) -> String {
    let org = ok(&setup.admin(&["create-org", "Huis"]))
        .split("Id: ")
        .nth(1)
        .expect("the id is printed")
        .trim()
        .to_string();
    link_in(ok(&setup.admin(&[
        "create-staff",
        "--org",
        &org,
        "--role",
        "coach",
        "--email",
        "sara@example.org",
        "--name",
        "Sara",
    ])))
}

async fn choose_password(person: &Person, link: &str, password: &str, repeat: &str) -> u16 {
    let path = path_of(link);
    person
        .post(
            "/api/set-password",
            &path,
            &[
                ("token", path.rsplit('/').next().unwrap()),
                ("password", password),
                ("repeat", repeat),
            ],
        )
        .await
        .status
}

async fn sign_in(person: &Person, email: &str, password: &str) -> Option<String> {
    person
        .post(
            "/api/sign-in",
            "/sign-in",
            &[("email", email), ("password", password)],
        )
        .await
        .location
}

/// The set-up of one store: SQLite in the data directory, or a fresh
/// PostgreSQL database.
async fn setup(store: Store, root: &std::path::Path, name: &str) -> (Setup, Option<TestDb>, u16) {
    let dir = data_dir(root, name);
    let port = free_port();
    let public_url = format!("http://127.0.0.1:{port}");
    match store {
        Store::Sqlite => (
            Setup {
                database_url: format!("sqlite://{}?mode=rwc", dir.join("onsplan.db").display()),
                data_dir: dir,
                public_url,
            },
            None,
            port,
        ),
        Store::Postgres => {
            let db = fresh_db(Store::Postgres).await;
            (
                Setup {
                    database_url: db.url.clone(),
                    data_dir: dir,
                    public_url,
                },
                Some(db),
                port,
            )
        }
    }
}

#[tokio::test]
async fn the_operator_sets_up_and_removes_accounts() {
    for store in stores() {
        let root = tempfile::tempdir().unwrap();
        let (setup, _db, port) = setup(store, root.path(), "data").await;
        let server = Instance::start(&setup, port).await.unwrap();

        // An organisation, then a coach and a volunteer without passwords.
        let made = setup.admin(&["create-org", "Huis", "van", "het", "Kind"]);
        let org = ok(&made)
            .split("Id: ")
            .nth(1)
            .expect("the id is printed")
            .trim()
            .to_string();
        assert!(made.stdout.contains("“Huis van het Kind”"), "{made:?}");
        let coach = setup.admin(&[
            "create-staff",
            "--org",
            &org,
            "--role",
            "coach",
            "--email",
            "Sara@Example.org",
            "--name",
            "Sara Peeters",
        ]);
        assert!(ok(&coach).contains("Account made for Sara Peeters (coach, Huis van het Kind)"));
        let first_link = link_in(&coach.stdout);
        assert!(first_link.starts_with(&setup.public_url), "{first_link}");
        let volunteer = setup.admin(&[
            "create-staff",
            "--org",
            &org,
            "--role",
            "volunteer",
            "--email",
            "marleen@example.org",
            "--name",
            "Marleen",
            "--lang",
            "fr",
        ]);
        ok(&volunteer);
        // A coordinator: the store's role check allows it (widened once on
        // a store made before coordinators existed).
        let coordinator = setup.admin(&[
            "create-staff",
            "--org",
            &org,
            "--role",
            "coordinator",
            "--email",
            "hilde@example.org",
            "--name",
            "Hilde",
        ]);
        assert!(
            ok(&coordinator).contains("Account made for Hilde (coordinator, Huis van het Kind)"),
            "{coordinator:?}"
        );

        // Bad input: a clear message, a non-zero exit, nothing made.
        let bad = |args: &[&str]| {
            let mut all = vec!["create-staff", "--org", org.as_str()];
            all.extend_from_slice(args);
            setup.admin(&all)
        };
        refused(
            &bad(&["--role", "boss", "--email", "x@example.org", "--name", "X"]),
            "The role must be coach, volunteer, partner or coordinator.",
        );
        refused(
            &bad(&[
                "--role",
                "coach",
                "--email",
                "not-an-address",
                "--name",
                "X",
            ]),
            "That is not a valid email address.",
        );
        refused(
            &bad(&[
                "--role",
                "coach",
                "--email",
                "sara@example.org",
                "--name",
                "Sara 2",
            ]),
            "There is already an account with that email address.",
        );
        refused(
            &bad(&[
                "--role",
                "coach",
                "--email",
                "y@example.org",
                "--name",
                "Y",
                "--lang",
                "xx",
            ]),
            "We do not know that language.",
        );
        refused(
            &setup.admin(&[
                "create-staff",
                "--org",
                "nope",
                "--role",
                "coach",
                "--email",
                "z@example.org",
                "--name",
                "Z",
            ]),
            "We do not know that organisation.",
        );
        let unknown = setup.admin(&["make-me-admin"]);
        assert_eq!(unknown.code, 2, "{unknown:?}");
        assert!(
            unknown.stderr.contains("Usage: onsplan admin"),
            "{unknown:?}"
        );
        refused(
            &setup.admin(&["disable", "nobody@example.org"]),
            "There is no active account",
        );
        let listed = setup.admin(&["list"]);
        assert!(ok(&listed).contains(
            "sara@example.org  Sara Peeters  coach  Huis van het Kind  waiting for a password"
        ));
        assert!(listed.stdout.contains("marleen@example.org"));
        assert!(listed
            .stdout
            .contains("hilde@example.org  Hilde  coordinator  Huis van het Kind"));
        assert_eq!(
            listed.stdout.matches("@example.org").count(),
            3,
            "{}",
            listed.stdout
        );

        // Without a password nobody signs in; the link sets one, once.
        let sara = Person::at(&server.url(""));
        assert_ne!(
            sign_in(&sara, "sara@example.org", "").await.as_deref(),
            Some("/families")
        );
        let form = sara.get(&path_of(&first_link)).await;
        assert_eq!(form.status, 200);
        assert!(
            form.body.contains("Choose your password") || form.body.contains("Kies uw wachtwoord"),
            "{}",
            form.body
        );
        assert!(form.header("cache-control").contains("no-store"));
        // A new link replaces the first.
        let second_link = link_in(ok(&setup.admin(&["new-link", "sara@example.org"])));
        let stale = sara.get(&path_of(&first_link)).await;
        assert!(stale.status >= 400, "the replaced link no longer works");
        assert_eq!(
            choose_password(&sara, &second_link, "kort", "kort").await,
            302
        );
        assert_eq!(
            choose_password(&sara, &second_link, PASSWORD, "anders dan dat").await,
            302
        );
        assert!(
            sign_in(&Person::at(&server.url("")), "sara@example.org", PASSWORD).await
                != Some("/families".into()),
            "not set yet"
        );
        let set = sara
            .post(
                "/api/set-password",
                &path_of(&second_link),
                &[
                    ("token", second_link.rsplit('/').next().unwrap()),
                    ("password", PASSWORD),
                    ("repeat", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            set.location.as_deref(),
            Some("/families"),
            "signed in: {}",
            set.body
        );
        assert_eq!(sara.get("/families").await.status, 200);
        let again = sara.get(&path_of(&second_link)).await;
        assert!(again.status >= 400, "a used link never works again");
        let other = Person::at(&server.url(""));
        assert_eq!(
            sign_in(&other, "sara@example.org", PASSWORD)
                .await
                .as_deref(),
            Some("/families")
        );

        // A family, and its volunteer assigned by the operator.
        let made = sara
            .post("/api/new-family", "/families", &[("name", "Gezin Haddad")])
            .await;
        let family = made
            .location
            .expect("to the family")
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        let assigned = setup.admin(&["assign-volunteer", &family, "marleen@example.org"]);
        assert!(ok(&assigned).contains("now has marleen@example.org as its volunteer"));
        refused(
            &setup.admin(&["assign-volunteer", "nope", "none"]),
            "There is no family with id nope",
        );
        let listed = setup.admin(&["list"]);
        assert!(ok(&listed).contains(&format!(
            "{family}  Huis van het Kind  sara@example.org  marleen@example.org"
        )));
        assert!(
            !listed.stdout.contains("Haddad"),
            "no family content: {}",
            listed.stdout
        );

        // Disabling ends the sessions at once; signing in is refused.
        ok(&setup.admin(&["disable", "sara@example.org"]));
        assert_ne!(sara.get("/families").await.status, 200, "the session ended");
        assert_ne!(
            other.get("/families").await.status,
            200,
            "every session ended"
        );
        assert_ne!(
            sign_in(&Person::at(&server.url("")), "sara@example.org", PASSWORD)
                .await
                .as_deref(),
            Some("/families")
        );
        assert!(
            ok(&setup.admin(&["list"])).contains("Sara Peeters  coach  Huis van het Kind  closed")
        );
        refused(
            &setup.admin(&["new-link", "sara@example.org"]),
            "There is no active account",
        );
        drop(server);
    }
}

#[tokio::test]
async fn a_backup_taken_while_running_restores_into_an_empty_directory() {
    let root = tempfile::tempdir().unwrap();
    let (setup, _db, port) = setup(Store::Sqlite, root.path(), "data").await;
    let server = Instance::start(&setup, port).await.unwrap();
    let link = org_and_coach(&setup);
    let sara = Person::at(&server.url(""));
    assert_eq!(choose_password(&sara, &link, PASSWORD, PASSWORD).await, 302);
    sara.post("/api/new-family", "/families", &[("name", "Gezin Haddad")])
        .await;

    let file = root.path().join("backup.db");
    let file_text = file.display().to_string();
    let backup = setup.admin(&["backup", &file_text]);
    assert!(ok(&backup).contains("Backup written to"), "{backup:?}");
    refused(&setup.admin(&["backup", &file_text]), "already exists");
    drop(server);

    // Restoring needs an empty data directory and a real backup.
    refused(&setup.admin(&["restore", &file_text]), "is not empty");
    let (restored, _, port) = setup_for_restore(root.path(), "restored");
    let junk = root.path().join("junk.db");
    std::fs::write(&junk, "not a database").unwrap();
    refused(
        &restored.admin(&["restore", &junk.display().to_string()]),
        "is not an Onsplan backup",
    );
    let done = restored.admin(&["restore", &file_text]);
    assert!(
        ok(&done).contains("1 organisations, 1 accounts, 1 families"),
        "{done:?}"
    );

    // The restored server knows Sara and her family.
    let server = Instance::start(&restored, port).await.unwrap();
    let again = Person::at(&server.url(""));
    assert_eq!(
        sign_in(&again, "sara@example.org", PASSWORD)
            .await
            .as_deref(),
        Some("/families")
    );
    assert!(again.get("/families").await.body.contains("Gezin Haddad"));
}

fn setup_for_restore(root: &std::path::Path, name: &str) -> (Setup, (), u16) {
    let dir = root.join(name);
    let port = free_port();
    (
        Setup {
            database_url: format!("sqlite://{}?mode=rwc", dir.join("onsplan.db").display()),
            data_dir: dir,
            public_url: format!("http://127.0.0.1:{port}"),
        },
        (),
        port,
    )
}

#[tokio::test]
async fn two_instances_on_one_store_share_their_keys() {
    for store in stores() {
        let root = tempfile::tempdir().unwrap();
        let (a, _db, port_a) = setup(store, root.path(), "a").await;
        // B: its own data directory, the same database.
        let port_b = free_port();
        let b = Setup {
            data_dir: data_dir(root.path(), "b"),
            database_url: a.database_url.clone(),
            public_url: format!("http://127.0.0.1:{port_b}"),
        };
        let first = Instance::start(&a, port_a).await.unwrap();
        let second = Instance::start(&b, port_b).await.unwrap();
        let key_a = std::fs::read_to_string(a.data_dir.join("secret.key")).unwrap();
        let key_b = std::fs::read_to_string(b.data_dir.join("secret.key")).unwrap();
        assert_eq!(key_a, key_b, "B took the store's key");

        // The coach makes an invite on A; the family uses it on B.
        let link = org_and_coach(&a);
        let sara = Person::at(&first.url(""));
        assert_eq!(choose_password(&sara, &link, PASSWORD, PASSWORD).await, 302);
        let made = sara
            .post("/api/new-family", "/families", &[("name", "Gezin Haddad")])
            .await;
        let family_page = made.location.unwrap();
        let family = family_page.rsplit('/').next().unwrap().to_string();
        sara.post("/api/invite", &family_page, &[("family", &family)])
            .await;
        let page = sara.get(&family_page).await;
        let code = between(&page.body, "class=\"invite-code\">", "<")
            .expect("a code")
            .to_string();
        let phone = Person::at(&second.url(""));
        let joined = phone
            .post(
                "/api/join",
                &format!("/join?code={code}&lang=nl-BE"),
                &[("code", &code), ("lang", "nl-BE"), ("name", "Amal")],
            )
            .await;
        assert_eq!(
            joined.location.as_deref(),
            Some("/plan"),
            "joined on B: {}",
            joined.body
        );
        assert_eq!(phone.get("/plan").await.status, 200);

        // A data directory with another key is refused, plainly.
        let (c, _, port_c) = (
            Setup {
                data_dir: data_dir(root.path(), "c"),
                database_url: a.database_url.clone(),
                public_url: "http://127.0.0.1:1".into(),
            },
            (),
            free_port(),
        );
        std::fs::write(c.data_dir.join("secret.key"), "ab".repeat(32)).unwrap();
        let refused = Instance::start(&c, port_c).await.err().expect("refused");
        assert!(
            refused.contains("does not match the one in the database"),
            "{refused}"
        );
        drop((first, second));
    }
}

/// SIGTERM (what a service manager sends) stops the server cleanly: a
/// request already in flight is answered and its change is kept; then the
/// process exits with success and takes no new connections.
#[tokio::test]
async fn sigterm_finishes_the_requests_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let root = tempfile::tempdir().unwrap();
    let (setup, _db, port) = setup(Store::Sqlite, root.path(), "data").await;
    let mut server = Instance::start(&setup, port).await.unwrap();
    let link = org_and_coach(&setup);
    let token = link.rsplit('/').next().unwrap().to_string();

    // A request whose headers have arrived and whose body is still coming.
    let body = format!(
        "token={token}&password=een+lang+genoeg+wachtwoord&repeat=een+lang+genoeg+wachtwoord"
    );
    let (first, rest) = body.split_at(20);
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let head = format!(
        "POST /api/set-password HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\nAccept: text/html\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{first}",
        body.len()
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    server.send("TERM");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    tcp.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 302"), "answered: {answer}");
    assert!(
        answer.to_ascii_lowercase().contains("location: /families"),
        "{answer}"
    );
    let status = server.wait();
    assert!(status.success(), "a clean exit: {status}");
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "no new connections"
    );
    // The password chosen in that last request was kept.
    let again = Instance::start(&setup, free_port()).await.unwrap();
    let sara = Person::at(&again.url(""));
    assert_eq!(
        sign_in(&sara, "sara@example.org", "een lang genoeg wachtwoord")
            .await
            .as_deref(),
        Some("/families")
    );
}
