//! What the server knows about the request being served: who is calling
//! (resolved from the session by a middleware in the server crate) and in
//! which language to answer. It lives for one request only.

use crate::domain::access::Caller;
use crate::lang::Lang;

#[derive(Debug, Clone)]
pub struct RequestContext {
    pub caller: Caller,
    pub lang: Lang,
}

impl RequestContext {
    pub fn anonymous(lang: Lang) -> Self {
        RequestContext {
            caller: Caller::Anonymous,
            lang,
        }
    }
}

/// The current request's context, inside a page render or a server function.
pub fn current() -> RequestContext {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestContext>().cloned())
        .unwrap_or_else(|| RequestContext::anonymous(Lang::NlBe))
}
