//! A small world for end-to-end tests: two organisations, coaches, a
//! volunteer, a partner worker and a family, made through the same
//! provisioning functions the operator and the demo use; and an HTTP
//! "person" who browses like a browser without scripts (cookies, form
//! posts with Accept: text/html and a Referer, redirects not followed).

use onsplan_app::domain::access::{Caller, StaffRole};
use onsplan_app::domain::accounts::{self, NewStaff};
use onsplan_app::domain::AppState;
use onsplan_app::lang::Lang;

use crate::TestServer;

pub const PASSWORD: &str = "correct horse battery";

#[derive(Debug, Clone)]
pub struct Staff {
    pub id: String,
    pub email: String,
}

#[derive(Debug, Clone)]
pub struct World {
    pub org: String,
    pub other_org: String,
    /// The family's coach.
    pub coach: Staff,
    /// Another coach of the same organisation.
    pub colleague: Staff,
    /// A coach of another organisation.
    pub stranger: Staff,
    /// The family's Home-Start volunteer.
    pub volunteer: Staff,
    /// An OCMW social worker (partner worker) of the other organisation.
    pub partner: Staff,
    pub family: String,
    /// A second family of the colleague, with its own member.
    pub other_family: String,
}

/// The family's coach writes a goal in housing and, under it, an action the
/// coach will do (`body`): the action's id.
pub async fn coach_action(state: &AppState, coach_id: &str, family: &str, body: &str) -> String {
    use onsplan_app::domain::access::FamilyAccess;
    use onsplan_app::domain::plan::{self, ActionInput};
    let db = &state.db;
    let caller = Caller::staff(db, coach_id).await.unwrap();
    let access = FamilyAccess::open(db, &caller, family, state.clock.now())
        .await
        .unwrap();
    let goal = plan::add_goal(db, &access, "housing", "Een droge woning")
        .await
        .unwrap();
    plan::add_action(
        db,
        &access,
        &goal,
        &ActionInput {
            body: body.into(),
            who: "coach".into(),
            due: None,
            status: "todo".into(),
        },
    )
    .await
    .unwrap()
}

/// A staff account with the test password (the email is made from the name).
pub async fn staff(state: &AppState, org: &str, role: StaffRole, name: &str) -> Staff {
    let email = format!("{}@test.example", name.to_lowercase());
    let id = accounts::create_staff(
        &state.db,
        &NewStaff {
            org_id: org,
            role,
            email: &email,
            display_name: name,
            lang: Lang::NlBe,
        },
        PASSWORD,
        state.clock.now(),
    )
    .await
    .expect("staff");
    Staff { id, email }
}

impl World {
    pub async fn build(state: &AppState) -> World {
        let now = state.clock.now();
        let org = accounts::create_organisation(&state.db, "Huis van het Kind Gent", now)
            .await
            .unwrap();
        let other_org = accounts::create_organisation(&state.db, "OCMW Gent", now)
            .await
            .unwrap();
        let coach = staff(state, &org, StaffRole::Coach, "Sara").await;
        let colleague = staff(state, &org, StaffRole::Coach, "Koen").await;
        let stranger = staff(state, &other_org, StaffRole::Coach, "Els").await;
        let volunteer = staff(state, &org, StaffRole::Volunteer, "Marleen").await;
        let partner = staff(state, &other_org, StaffRole::Partner, "Pieter").await;
        let coach_caller = Caller::staff(&state.db, &coach.id).await.unwrap();
        let family = accounts::create_family(
            &state.db,
            coach_caller.as_staff().unwrap(),
            "Gezin Haddad",
            now,
        )
        .await
        .unwrap();
        accounts::assign(
            &state.db,
            &family,
            Some(&coach.id),
            Some(&volunteer.id),
            now,
        )
        .await
        .unwrap();
        let colleague_caller = Caller::staff(&state.db, &colleague.id).await.unwrap();
        let other_family = accounts::create_family(
            &state.db,
            colleague_caller.as_staff().unwrap(),
            "Gezin Peeters",
            now,
        )
        .await
        .unwrap();
        World {
            org,
            other_org,
            coach,
            colleague,
            stranger,
            volunteer,
            partner,
            family,
            other_family,
        }
    }
}

/// Someone browsing without scripts.
pub struct Person {
    pub client: reqwest::Client,
    pub base: String,
    /// This person's cookies, as their browser keeps them.
    jar: std::sync::Arc<reqwest::cookie::Jar>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// A response header as text ('' when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl Person {
    pub fn new(server: &TestServer) -> Person {
        Person::at(&server.url(""))
    }

    /// Someone browsing a server at `base` (e.g. a child process).
    pub fn at(base: &str) -> Person {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        Person {
            client: crate::client_with(jar.clone()),
            base: base.trim_end_matches('/').to_string(),
            jar,
        }
    }

    /// The browser drops cookie `name`, as it does once its Max-Age has
    /// passed (the server's test clock does not move the browser's).
    pub fn drop_cookie(&self, name: &str) {
        let url = reqwest::Url::parse(&self.base).expect("base URL");
        self.jar
            .add_cookie_str(&format!("{name}=; Path=/; Max-Age=0"), &url);
    }

    /// Follows a refused form back to its page (a redirect carrying the
    /// error), which shows the error: the page as the person sees it then.
    pub async fn back_with_error(&self, refused: &Page) -> Page {
        assert_eq!(refused.status, 302, "{}", refused.body);
        let back = refused.location.as_deref().expect("back to the form");
        assert!(back.contains("__err="), "{back}");
        let again = self.get(back).await;
        assert!(
            again.body.contains("id=\"form-error\""),
            "the error is shown"
        );
        again
    }

    /// Opens `path` on this server (or a whole URL, as a redirect names it).
    pub async fn get(&self, path: &str) -> Page {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let r = self
            .client
            .get(url)
            .header("accept", "text/html")
            .send()
            .await
            .expect("GET");
        page(r).await
    }

    /// A form post from the page at `from`, as a browser sends it.
    pub async fn post(&self, action: &str, from: &str, fields: &[(&str, &str)]) -> Page {
        let r = self
            .client
            .post(format!("{}{action}", self.base))
            .header("accept", "text/html")
            .header("referer", format!("{}{from}", self.base))
            .header("origin", self.base.clone())
            .form(fields)
            .send()
            .await
            .expect("POST");
        page(r).await
    }

    /// A server function called as an API (JSON answers, real statuses),
    /// from a script of this site (which sends its Origin).
    pub async fn call(&self, action: &str, fields: &[(&str, &str)]) -> Page {
        let r = self
            .client
            .post(format!("{}{action}", self.base))
            .header("origin", self.base.clone())
            .form(fields)
            .send()
            .await
            .expect("POST");
        page(r).await
    }

    /// A file form's post (multipart), as a browser sends it from `from`.
    pub async fn post_files(
        &self,
        action: &str,
        from: &str,
        form: reqwest::multipart::Form,
    ) -> Page {
        let r = self
            .client
            .post(format!("{}{action}", self.base))
            .header("accept", "text/html")
            .header("referer", format!("{}{from}", self.base))
            .header("origin", self.base.clone())
            .multipart(form)
            .send()
            .await
            .expect("POST");
        page(r).await
    }

    /// A file form sent by a script of this site (multipart, JSON answers
    /// and real statuses), as app.js sends a voice message.
    pub async fn send_files(&self, action: &str, form: reqwest::multipart::Form) -> Page {
        let r = self
            .client
            .post(format!("{}{action}", self.base))
            .header("origin", self.base.clone())
            .header("accept", "application/json")
            .multipart(form)
            .send()
            .await
            .expect("POST");
        page(r).await
    }

    /// A file (a photo, a recording) as the page loads it: its status,
    /// headers and bytes.
    pub async fn file(&self, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (
            status,
            headers,
            r.bytes().await.unwrap_or_default().to_vec(),
        )
    }

    pub async fn sign_in(&self, email: &str) {
        let p = self
            .post(
                "/api/sign-in",
                "/sign-in",
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(p.status, 302, "sign-in redirects");
        assert_eq!(p.location.as_deref(), Some("/families"), "{}", p.body);
    }

    /// Makes an invite from `page` (the coach's family page, or "Our plan"
    /// for a member) and reads its code there, as its maker does.
    pub async fn make_invite(&self, page: &str, family: &str) -> String {
        let r = self.post("/api/invite", page, &[("family", family)]).await;
        assert_eq!(r.status, 302, "{}", r.body);
        let shown = self.get(page).await;
        let section = between(&shown.body, "id=\"invite\"", "</section>").expect("invites");
        between(section, "class=\"invite-code\">", "<")
            .expect("the page shows the code")
            .to_string()
    }

    /// Joins with an invite code, reading `lang`, as `name`: the join form.
    pub async fn join(&self, code: &str, lang: &str, name: &str) -> Page {
        self.post(
            "/api/join",
            &format!("/join?code={code}&lang={lang}"),
            &[("code", code), ("lang", lang), ("name", name)],
        )
        .await
    }
}

async fn page(r: reqwest::Response) -> Page {
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_string);
    let headers = r.headers().clone();
    let body = r.text().await.unwrap_or_default();
    Page {
        status,
        location,
        headers,
        body,
    }
}

/// The text between `start` and the next `end` after it.
pub fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let rest = &text[from..];
    Some(&rest[..rest.find(end)?])
}

/// A family that uses Onsplan: Amal joined with the coach's invite (and so
/// accepted the coach); the coach and the volunteer are signed in.
pub struct Joined {
    pub world: World,
    pub coach: Person,
    pub amal: Person,
    pub volunteer: Person,
}

impl Joined {
    pub async fn on(server: &TestServer) -> Joined {
        let world = World::build(&server.state).await;
        let coach = Person::new(server);
        coach.sign_in(&world.coach.email).await;
        let fam = world.family.clone();
        let code = coach.make_invite(&format!("/families/{fam}"), &fam).await;
        let amal = Person::new(server);
        let joined = amal.join(&code, "nl-BE", "Amal").await;
        assert_eq!(joined.location.as_deref(), Some("/plan"), "{}", joined.body);
        let volunteer = Person::new(server);
        volunteer.sign_in(&world.volunteer.email).await;
        Joined {
            world,
            coach,
            amal,
            volunteer,
        }
    }

    /// Yusuf joins with Amal's invite.
    pub async fn yusuf(&self, server: &TestServer) -> Person {
        let code = self.amal.make_invite("/plan", &self.world.family).await;
        let yusuf = Person::new(server);
        let joined = yusuf.join(&code, "nl-BE", "Yusuf").await;
        assert_eq!(joined.location.as_deref(), Some("/plan"), "{}", joined.body);
        yusuf
    }
}

/// The coach asks a mandate question on `action` (`fields` besides the
/// family and the action: what, with whom, until …); the question's id.
pub async fn ask(
    coach: &Person,
    state: &AppState,
    family: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> String {
    let mut all = vec![("family", family), ("action", action)];
    all.extend_from_slice(fields);
    let r = coach.call("/api/ask", &all).await;
    assert!(r.status < 400, "{} {}", r.status, r.body);
    sqlx::query_scalar("SELECT id FROM mandates WHERE action_id = $1")
        .bind(action)
        .fetch_one(state.db.pool())
        .await
        .expect("the question")
}
