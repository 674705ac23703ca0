//! Messages: the reader's conversations (`/messages`) and one thread
//! (`/messages/<id>`), with the family's answer to "May Marleen send us
//! messages?". Plain forms: reading and writing work without JavaScript;
//! with it, new messages appear as they come (`/api/events`, app.js).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::page::{load, FormError, Hidden, PostForm};
use crate::error::AppError;
use crate::lang::{current_lang, t, t_args, Lang};
use crate::model::{Message, MessagesHome, ThreadView, MAX_MESSAGE};

/// The reader's conversations.
#[server(endpoint = "messages")]
pub async fn message_list() -> Result<MessagesHome, AppError> {
    let state = crate::request::state()?;
    let caller = crate::request::signed_in()?;
    crate::domain::messages::home(&state.db, &caller, state.clock.now()).await
}

/// One thread, marked read; a staff reader's reading is logged for the
/// family.
#[server(endpoint = "thread")]
pub async fn thread(id: String) -> Result<ThreadView, AppError> {
    let (state, thread) = open_thread(&id).await?;
    // The page's script asking again after news (app.js sends this).
    let live = leptos::prelude::use_context::<http::request::Parts>()
        .is_some_and(|p| p.headers.contains_key("x-onsplan-live"));
    crate::domain::messages::view(&state.db, &state.live, &thread, live).await
}

#[cfg(feature = "ssr")]
async fn open_thread(
    id: &str,
) -> Result<(crate::domain::AppState, crate::domain::access::ThreadAccess), AppError> {
    let state = crate::request::state()?;
    let caller = crate::request::signed_in()?;
    let thread =
        crate::domain::access::ThreadAccess::open(&state.db, &caller, id, state.clock.now())
            .await?;
    Ok((state, thread))
}

/// Writes a text in the writer's language. `key`: made by the phone (the
/// outbox); the same key is one message.
#[server(endpoint = "post-message")]
pub async fn post_message(
    thread: String,
    body: String,
    key: Option<String>,
) -> Result<(), AppError> {
    let (state, access) = open_thread(&thread).await?;
    let lang = crate::request::current().lang;
    crate::domain::messages::post_text(
        &state.db,
        &state.live,
        &access,
        &body,
        lang,
        key.as_deref(),
    )
    .await?;
    leptos_axum::redirect(&format!("/messages/{thread}#end"));
    Ok(())
}

/// Sends a phrase of the book (`day`, `time`: its arguments, if it has
/// them); every reader reads it in their own language.
#[server(endpoint = "post-phrase")]
pub async fn post_phrase(
    thread: String,
    phrase: String,
    day: Option<String>,
    time: Option<String>,
    key: Option<String>,
) -> Result<(), AppError> {
    let (state, access) = open_thread(&thread).await?;
    let lang = crate::request::current().lang;
    let mut args = Vec::new();
    if let Some(day) = day.as_deref() {
        args.push(("day", day));
    }
    if let Some(time) = time.as_deref() {
        args.push(("time", time));
    }
    crate::domain::messages::post_phrase(
        &state.db,
        &state.live,
        &access,
        &phrase,
        &args,
        lang,
        key.as_deref(),
    )
    .await?;
    leptos_axum::redirect(&format!("/messages/{thread}#end"));
    Ok(())
}

/// Proposes an appointment (`reply_to`: the proposal this one answers
/// with another time).
#[server(endpoint = "propose-appointment")]
pub async fn propose_appointment(
    thread: String,
    day: String,
    time: String,
    place: String,
    note: Option<String>,
    reply_to: Option<String>,
    key: Option<String>,
) -> Result<(), AppError> {
    let (state, access) = open_thread(&thread).await?;
    let lang = crate::request::current().lang;
    crate::domain::messages::propose(
        &state.db,
        &state.live,
        &access,
        &day,
        &time,
        &place,
        note.as_deref().unwrap_or(""),
        reply_to.as_deref(),
        lang,
        key.as_deref(),
    )
    .await?;
    leptos_axum::redirect(&format!("/messages/{thread}#end"));
    Ok(())
}

/// Says OK to the other side's proposal.
#[server(endpoint = "accept-appointment")]
pub async fn accept_appointment(
    thread: String,
    message: String,
    key: Option<String>,
) -> Result<(), AppError> {
    let (state, access) = open_thread(&thread).await?;
    let lang = crate::request::current().lang;
    crate::domain::messages::accept(
        &state.db,
        &state.live,
        &access,
        &message,
        lang,
        key.as_deref(),
    )
    .await?;
    leptos_axum::redirect(&format!("/messages/{thread}#end"));
    Ok(())
}

/// The writer deletes their message (within 15 minutes).
#[server(endpoint = "delete-message")]
pub async fn delete_message(thread: String, message: String) -> Result<(), AppError> {
    let (state, access) = open_thread(&thread).await?;
    crate::domain::messages::delete(&state.db, &state.live, &access, &message).await?;
    leptos_axum::redirect(&format!("/messages/{thread}#end"));
    Ok(())
}

/// A member says yes (`yes` = 1) to talking with the family's volunteer,
/// or stops (`yes` = 0).
#[server(endpoint = "talk")]
pub async fn talk(family: String, yes: String, volunteer: Option<String>) -> Result<(), AppError> {
    let (state, access) = crate::request::open_family(&family).await?;
    if access.member_id().is_none() {
        return Err(AppError::NotFound);
    }
    let yes = match yes.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(AppError::bad("error-bad-input")),
    };
    crate::domain::messages::set_talk(
        &state.db,
        &state.live,
        &access,
        yes,
        volunteer.as_deref().filter(|v| !v.is_empty()),
    )
    .await?;
    leptos_axum::redirect("/messages");
    Ok(())
}

#[component]
pub fn MessagesPage() -> impl IntoView {
    load(message_list(), |home| {
        let MessagesHome {
            threads,
            talk,
            family,
        } = home;
        let empty = threads
            .is_empty()
            .then(|| view! { <p class="card muted" id="no-threads">{t("messages-none")}</p> });
        let lines: Vec<_> = threads
            .into_iter()
            .map(|th| {
                let badge = (th.unread > 0).then(|| {
                    view! { <span class="badge">{t_args("messages-unread", &[("count", th.unread.to_string())])}</span> }
                });
                let ended = (!th.live).then(|| view! { <span class="muted">{t("thread-ended")}</span> });
                view! {
                    <li class="card thread-line">
                        <a href=format!("/messages/{}", th.id) class="thread-link">
                            <bdi>{th.with_name.clone()}</bdi>
                            " — "{t(&format!("thread-role-{}", th.role))}
                        </a>
                        " "{badge}" "{ended}
                    </li>
                }
            })
            .collect();
        let talk = talk.zip(family).map(|(q, family)| {
            let name = q.volunteer.clone();
            if q.said_yes {
                view! {
                    <section class="card" id="talk">
                        <p>{t_args("talk-yes-now", &[("name", name)])}</p>
                        <PostForm action="/api/talk">
                            <Hidden name="family" value=family/>
                            <button type="submit" name="yes" value="0" class="secondary" id="talk-stop">{t("talk-stop")}</button>
                        </PostForm>
                    </section>
                }
                .into_any()
            } else {
                view! {
                    <section class="card notice" id="talk">
                        <h2>{t_args("talk-question", &[("name", name)])}</h2>
                        <p>{t("talk-explain")}</p>
                        <PostForm action="/api/talk" class="big-buttons">
                            <Hidden name="family" value=family/>
                            <Hidden name="volunteer" value=q.volunteer_id.clone()/>
                            <button type="submit" name="yes" value="1" id="talk-yes">{t("talk-yes")}</button>
                        </PostForm>
                    </section>
                }
                .into_any()
            }
        });
        view! {
            <h1>{t("messages-title")}</h1>
            <FormError/>
            {talk}
            {empty}
            <ul class="plain-list" id="threads">{lines}</ul>
            // Messages the server refused (app.js), also for a
            // conversation that is no longer the reader's to open.
            <OutboxList thread="*".to_string()/>
        }
    })
}

/// What the phone keeps (app.js): for one thread, messages waiting for
/// the connection and those the server refused; for `*` (the list of
/// conversations), every refused one. A refused message stays, with its
/// text, until the reader removes it.
#[component]
fn OutboxList(thread: String) -> impl IntoView {
    view! {
        <ol class="plain-list messages" id="outbox-list" hidden data-thread=thread
            data-waiting=format!("⏳ {}", t("message-waiting")) data-refused=t("message-refused")
            data-remove=t("message-refused-remove")></ol>
    }
}

#[component]
pub fn ThreadPage() -> impl IntoView {
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .unwrap_or_default();
    load(thread(id), |view| view! { <ThreadBody view/> })
}

#[component]
fn ThreadBody(view: ThreadView) -> impl IntoView {
    let reader = current_lang();
    let title = t_args("thread-title", &[("name", view.with_name.clone())]);
    let id = view.id.clone();
    let thread_id = view.id.clone();
    let thread_id_form = view.id.clone();
    let items: Vec<_> = view
        .messages
        .into_iter()
        .map(|m| {
            let links = Links {
                thread: thread_id.clone(),
                family: view.family_id.clone(),
                member: view.reader_is_member,
            };
            view! { <MessageItem m reader links today=view.today.clone() live=view.live/> }
        })
        .collect();
    let empty = items
        .is_empty()
        .then(|| view! { <li class="muted" id="no-messages">{t("thread-empty")}</li> });
    let form = if view.live {
        let body = crate::request::kept("/api/post-message", "body").unwrap_or_default();
        // The phrases come first, before the keyboard, folded by topic.
        let phrases = view! { <PhraseBook thread=view.id.clone()/> };
        let propose = view! {
            <details class="card propose" id="propose">
                <summary>{format!("📅 {}", t("appointment-propose"))}</summary>
                <AppointmentForm thread=view.id.clone() reply_to=None/>
            </details>
        };
        view! {
            {phrases}
            {propose}
            <PostForm action="/api/post-message" class="card write">
                <Hidden name="thread" value=thread_id_form/>
                <SendKey/>
                <label for="message-body">{t(if view.reader_is_member { "message-or-write" } else { "message-write" })}</label>
                <textarea id="message-body" name="body" rows="3" maxlength=MAX_MESSAGE.to_string() dir="auto" required>{body}</textarea>
                <button type="submit" id="send">{t("message-send")}</button>
            </PostForm>
            <PhotoForm thread=view.id.clone()/>
            <VoiceRecorder thread=view.id.clone()/>
        }
        .into_any()
    } else {
        view! { <p class="card notice" id="thread-ended">{t(if view.reader_is_member { "thread-ended-explain" } else { "thread-ended" })}</p> }.into_any()
    };
    view! {
        <h1><bdi>{title}</bdi></h1>
        <FormError/>
        <ol class="plain-list messages" id="messages" data-thread=id data-translate=t("translate-on-phone") aria-live="polite">
            {items}
            {empty}
        </ol>
        <OutboxList thread=view.id.clone()/>
        <span id="end"></span>
        {form}
        <p><a class="nav-link" href="/messages">{t("messages-all")}</a></p>
    }
}

/// Where a message's buttons and links go.
#[derive(Clone)]
struct Links {
    thread: String,
    family: String,
    member: bool,
}

#[component]
fn MessageItem(m: Message, reader: Lang, links: Links, today: String, live: bool) -> impl IntoView {
    let thread = links.thread.clone();
    // Today's messages say their hour; older ones their day too.
    let when = if crate::domain::clock::belgian_date(m.at) == today {
        crate::i18n::time_at(reader, m.at)
    } else {
        crate::i18n::date_time(reader, m.at)
    };
    let class = if m.mine { "msg mine" } else { "msg theirs" };
    let body = if m.deleted {
        view! { <p class="muted deleted">{t("message-deleted")}</p> }.into_any()
    } else if m.kind == "appointment" || m.kind == "appointment_ok" {
        view! { <Appointment m=m.clone() reader thread=thread.clone() live/> }.into_any()
    } else if m.kind == "photo" {
        let src = format!("/media/{}", m.id);
        let href = src.clone();
        let alt = t_args("photo-alt", &[("name", m.author.clone())]);
        view! {
            <p class="body photo">
                <a href=href target="_blank">
                    <img src=src alt=alt width=arg(&m, "w").to_string() height=arg(&m, "h").to_string() loading="lazy"/>
                </a>
            </p>
        }
        .into_any()
    } else if m.kind == "voice" {
        let seconds = arg(&m, "ms")
            .parse::<i64>()
            .unwrap_or(0)
            .div_euclid(1000)
            .max(1);
        let length = format!("{}:{:02}", seconds / 60, seconds % 60);
        view! {
            <div class="body voice">
                <p>"🎤 "{t("voice-message")}" "<span class="voice-length" dir="ltr">{length}</span></p>
                <audio controls preload="none" src=format!("/media/{}", m.id)></audio>
            </div>
        }
        .into_any()
    } else if matches!(m.kind.as_str(), "question" | "answer" | "evaluation") {
        view! { <PlanNote m=m.clone() reader links/> }.into_any()
    } else if m.kind == "phrase" {
        // Written in the reader's own language, whoever sent it.
        let icon = crate::model::PHRASES
            .iter()
            .find(|p| p.0 == m.body)
            .map(|p| p.1)
            .unwrap_or("");
        view! {
            <p class="body phrase" lang=reader.tag() dir="auto">
                <span class="phrase-icon" aria-hidden="true">{icon}</span>" "
                {phrase_text(reader, &m.body, &m.args)}
            </p>
        }
        .into_any()
    } else {
        let label = Lang::from_tag(&m.lang)
            .filter(|l| *l != reader)
            .map(|l| view! { <span class="lang-label" lang=l.tag()>{l.endonym()}</span> });
        view! {
            <p class="body" lang=m.lang.clone() dir="auto">{m.body.clone()}</p>
            {label}
        }
        .into_any()
    };
    let ticks = (m.mine && !m.deleted).then(|| {
        if m.read {
            view! { <span class="ticks read">{format!("✓✓ {}", t("message-read"))}</span> }
        } else {
            view! { <span class="ticks">{format!("✓ {}", t("message-sent"))}</span> }
        }
    });
    let item_id = format!("m-{}", m.id);
    let delete = m.deletable.then(|| {
        let button = format!("delete-{}", m.id);
        view! {
            <PostForm action="/api/delete-message" class="inline">
                <Hidden name="thread" value=thread/>
                <Hidden name="message" value=m.id.clone()/>
                <button type="submit" class="link-button" id=button>{t("message-delete")}</button>
            </PostForm>
        }
    });
    view! {
        <li class=class id=item_id>
            <p class="meta muted"><bdi>{m.author.clone()}</bdi>" · "<time>{when}</time></p>
            {body}
            <p class="meta">{ticks}" "{delete}</p>
        </li>
    }
}

/// A message Onsplan wrote about the plan, in the reader's language: a
/// mandate question the coach asked (linking to it), a member's answer to
/// one, or the next evaluation's day.
#[component]
fn PlanNote(m: Message, reader: Lang, links: Links) -> impl IntoView {
    let to_question = m.about.clone().map(|q| {
        if links.member {
            format!("/plan/question/{q}")
        } else {
            format!("/families/{}", links.family)
        }
    });
    let link = |label: String| {
        to_question
            .clone()
            .map(|href| view! { <a class="small-link" href=href>{label}</a> })
    };
    match m.kind.as_str() {
        "question" => view! {
            <div class="body plan-note question-note">
                <p>"❓ "{t_args("question-title", &[("coach", m.author.clone())])}</p>
                <p><strong>{t(&format!("help-{}", arg(&m, "help")))}</strong>
                   " · "{t(&format!("party-{}", arg(&m, "party")))}</p>
                <p>{link(t(if links.member { "answer-question" } else { "msg-question-open" }))}</p>
            </div>
        }
        .into_any(),
        "answer" => view! {
            <div class="body plan-note answer-note">
                <p>"✍️ "{t_args(&format!("answer-history-{}", arg(&m, "answer")), &[("name", m.author.clone())])}</p>
                <p>{link(t("msg-question-see"))}</p>
            </div>
        }
        .into_any(),
        _ => view! {
            <p class="body plan-note evaluation-note">
                "🗓️ "{t_args("msg-evaluation", &[("date", crate::i18n::long_date(reader, arg(&m, "day")))])}
            </p>
        }
        .into_any(),
    }
}

/// A phrase in `lang`, its day and hour written the reader's way.
fn phrase_text(lang: Lang, id: &str, args: &[(String, String)]) -> String {
    let args: Vec<(&str, String)> = args
        .iter()
        .map(|(k, v)| {
            let shown = match k.as_str() {
                "day" => crate::i18n::long_date(lang, v),
                "time" => crate::i18n::time_of_day(lang, v),
                _ => v.clone(),
            };
            (k.as_str(), shown)
        })
        .collect();
    crate::i18n::tr_args(lang, &format!("phrase-{id}"), &args)
}

/// The phrase book: a button for each phrase, by group; a phrase with a
/// day or an hour is its own small form with those fields. Plain forms:
/// without JavaScript a tap sends it.
#[component]
fn PhraseBook(thread: String) -> impl IntoView {
    use crate::model::{PHRASES, PHRASE_GROUPS};
    let lang = current_lang();
    let groups: Vec<_> = PHRASE_GROUPS
        .iter()
        .map(|group| {
            let thread = thread.clone();
            let plain: Vec<_> = PHRASES
                .iter()
                .filter(|p| p.3 == *group && p.2.is_empty())
                .map(|(id, icon, _, _)| {
                    view! {
                        <button type="submit" name="phrase" value=*id class="phrase-button secondary" id=format!("phrase-{id}")>
                            <span class="phrase-icon" aria-hidden="true">{*icon}</span>" "
                            {phrase_text(lang, id, &[])}
                        </button>
                    }
                })
                .collect();
            let with_fields: Vec<_> = PHRASES
                .iter()
                .filter(|p| p.3 == *group && !p.2.is_empty())
                .map(|(id, icon, args, _)| {
                    let thread = thread.clone();
                    let blanks: Vec<(String, String)> =
                        args.iter().map(|a| (a.to_string(), "…".to_string())).collect();
                    let fields: Vec<_> = args
                        .iter()
                        .map(|a| {
                            let (kind, label) = match *a {
                                "day" => ("date", t("field-day")),
                                _ => ("time", t("field-time")),
                            };
                            let field_id = format!("phrase-{id}-{a}");
                            view! {
                                <label for=field_id.clone()>{label}</label>
                                <input type=kind name=*a id=field_id required/>
                            }
                        })
                        .collect();
                    view! {
                        <PostForm action="/api/post-phrase" class="phrase-form">
                            <Hidden name="thread" value=thread.clone()/>
                            <SendKey/>
                            <Hidden name="phrase" value=id.to_string()/>
                            {fields}
                            <button type="submit" class="phrase-button secondary" id=format!("phrase-{id}")>
                                <span class="phrase-icon" aria-hidden="true">{*icon}</span>" "
                                {phrase_text(lang, id, &blanks)}
                            </button>
                        </PostForm>
                    }
                })
                .collect();
            view! {
                <details class="phrase-group">
                    <summary>{t(&format!("phrase-group-{group}"))}</summary>
                    <PostForm action="/api/post-phrase" class="phrase-list">
                        <Hidden name="thread" value=thread/>
                        <SendKey/>
                        {plain}
                    </PostForm>
                    {with_fields}
                </details>
            }
        })
        .collect();
    view! {
        <section class="card phrases" id="phrases">
            <h2>{t("phrases-title")}</h2>
            {groups}
        </section>
    }
}

/// An argument of a message, as stored.
fn arg<'a>(m: &'a Message, name: &str) -> &'a str {
    m.args
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// A proposal (with its state, and OK / another time for the other side
/// while it is open) or an OK, in the reader's language.
#[component]
fn Appointment(m: Message, reader: Lang, thread: String, live: bool) -> impl IntoView {
    let day = crate::i18n::long_date(reader, arg(&m, "day"));
    let time = crate::i18n::time_of_day(reader, arg(&m, "time"));
    if m.kind == "appointment_ok" {
        return view! {
            <p class="body appointment-ok" lang=reader.tag() dir="auto">
                {format!("✅ {}", t_args("appointment-ok", &[("day", day), ("time", time)]))}
            </p>
        }
        .into_any();
    }
    let place = t(&format!("place-{}", arg(&m, "place")));
    let text = t_args(
        "appointment-proposal",
        &[("day", day), ("time", time), ("place", place)],
    );
    let note = (!m.body.is_empty()).then(|| {
        view! { <p class="body" lang=m.lang.clone() dir="auto">{m.body.clone()}</p> }
    });
    let state = view! {
        <p class=format!("appointment-state state-{}", m.state)>{t(&format!("appointment-state-{}", m.state))}</p>
    };
    // The other side answers; the proposer's side waits.
    let answer = (live && !m.ours && m.state == "open").then(|| {
        let (thread_ok, id_ok) = (thread.clone(), m.id.clone());
        let (thread_other, id_other) = (thread.clone(), m.id.clone());
        let (accept, other) = (format!("accept-{}", m.id), format!("other-time-{}", m.id));
        view! {
            <PostForm action="/api/accept-appointment" class="inline">
                <Hidden name="thread" value=thread_ok/>
                <SendKey/>
                <Hidden name="message" value=id_ok/>
                <button type="submit" id=accept>{t("appointment-accept")}</button>
            </PostForm>
            <details class="other-time">
                <summary id=other>{t("appointment-other-time")}</summary>
                <AppointmentForm thread=thread_other reply_to=Some(id_other)/>
            </details>
        }
    });
    view! {
        <div class="appointment">
            <p class="body appointment-proposal" lang=reader.tag() dir="auto">{format!("📅 {text}")}</p>
            {note}
            {state}
            {answer}
        </div>
    }
    .into_any()
}

/// Day, hour, place and a few words: a new proposal, or another time in
/// answer to one.
#[component]
fn AppointmentForm(thread: String, reply_to: Option<String>) -> impl IntoView {
    let suffix = reply_to.clone().unwrap_or_else(|| "new".into());
    let id = move |name: &str| format!("appointment-{name}-{suffix}");
    let places: Vec<_> = crate::model::PLACES
        .iter()
        .map(|p| view! { <option value=*p>{t(&format!("place-{p}"))}</option> })
        .collect();
    view! {
        <PostForm action="/api/propose-appointment" class="appointment-form">
            <Hidden name="thread" value=thread/>
            <SendKey/>
            {reply_to.map(|r| view! { <Hidden name="reply_to" value=r/> })}
            <label for=id("day")>{t("field-day")}</label>
            <input type="date" name="day" id=id("day") required/>
            <label for=id("time")>{t("field-time")}</label>
            <input type="time" name="time" id=id("time") required/>
            <label for=id("place")>{t("appointment-place")}</label>
            <select name="place" id=id("place")>{places}</select>
            <label for=id("note")>{t("appointment-note")}</label>
            <input type="text" name="note" id=id("note") maxlength="300" dir="auto"/>
            <button type="submit" id=id("send")>{t("message-send")}</button>
        </PostForm>
    }
}

/// A key made for this one form as it is shown: the same form sent twice
/// (a double tap, a retry after a lost answer) is one message.
#[component]
fn SendKey() -> impl IntoView {
    view! { <Hidden name="key" value=crate::domain::ids::new_id()/> }
}

/// A photo (a letter, a form): chosen or taken on the phone and sent with
/// a plain file form, so it works without JavaScript.
#[component]
fn PhotoForm(thread: String) -> impl IntoView {
    view! {
        <form method="post" action="/api/post-photo" enctype="multipart/form-data" class="card photo-form" id="photo-form">
            <Hidden name="thread" value=thread/>
            <SendKey/>
            <label for="photo">{format!("📷 {}", t("photo-choose"))}</label>
            <input type="file" id="photo" name="photo" accept="image/jpeg,image/png,image/webp" required/>
            <button type="submit" id="send-photo">{t("photo-send")}</button>
        </form>
    }
}

/// A voice message: hold the button to speak (up to two minutes), listen
/// to it, then send it. It needs JavaScript and a microphone; app.js shows
/// it where both are there.
#[component]
fn VoiceRecorder(thread: String) -> impl IntoView {
    view! {
        <section class="card voice-recorder" id="voice" hidden data-thread=thread
            data-recording=t("voice-recording") data-too-long=t("error-voice-too-long")
            data-failed=t("voice-failed") data-no-microphone=t("voice-no-microphone")>
            <button type="button" id="voice-record" class="big">{format!("🎤 {}", t("voice-hold"))}</button>
            <p id="voice-status" class="muted" role="status"></p>
            <audio id="voice-preview" controls hidden></audio>
            <p class="voice-actions">
                <button type="button" id="voice-send" hidden>{t("voice-send")}</button>
                " "
                <button type="button" id="voice-again" class="secondary" hidden>{t("voice-again")}</button>
            </p>
        </section>
    }
}
