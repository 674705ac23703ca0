//! Limits on guessing: sign-in per account and per client address, and
//! invite codes (looking one up, joining) per client address. Each limit is
//! a token bucket (the `governor` crate): `tries` at once, refilled evenly
//! over `seconds`. Refusals are logged without the account or the address.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

/// `tries` attempts, refilled evenly over `seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub tries: u32,
    pub seconds: u64,
}

impl Rate {
    /// Parses `TRIES/SECONDS`, e.g. `10/300`.
    pub fn parse(text: &str) -> Option<Rate> {
        let (tries, seconds) = text.trim().split_once('/')?;
        let rate = Rate {
            tries: tries.trim().parse().ok()?,
            seconds: seconds.trim().parse().ok()?,
        };
        (rate.tries > 0 && rate.seconds > 0).then_some(rate)
    }

    fn quota(self) -> Quota {
        let tries = NonZeroU32::new(self.tries).unwrap_or(NonZeroU32::MIN);
        let period = Duration::from_secs(self.seconds) / self.tries.max(1);
        Quota::with_period(period.max(Duration::from_nanos(1)))
            .unwrap_or(Quota::per_second(tries))
            .allow_burst(tries)
    }
}

/// The limits an operator can set (see the README's configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateConfig {
    /// `ONSPLAN_LIMIT_SIGN_IN_ACCOUNT`: sign-in tries per account.
    pub sign_in_account: Rate,
    /// `ONSPLAN_LIMIT_SIGN_IN_ADDRESS`: sign-in tries per client address.
    pub sign_in_address: Rate,
    /// `ONSPLAN_LIMIT_INVITE_ADDRESS`: invite look-ups and joins per address.
    pub invite_address: Rate,
}

impl Default for RateConfig {
    /// Enough for a person who mistypes; far too few to guess a password
    /// or a 44-bit invite code.
    fn default() -> Self {
        RateConfig {
            sign_in_account: Rate {
                tries: 10,
                seconds: 900,
            },
            sign_in_address: Rate {
                tries: 30,
                seconds: 300,
            },
            invite_address: Rate {
                tries: 30,
                seconds: 300,
            },
        }
    }
}

/// The live buckets, shared by every request of this process.
pub struct RateLimits {
    sign_in_account: DefaultKeyedRateLimiter<String>,
    sign_in_address: DefaultKeyedRateLimiter<IpAddr>,
    invite_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimits")
    }
}

impl RateLimits {
    pub fn new(config: RateConfig) -> RateLimits {
        RateLimits {
            sign_in_account: RateLimiter::keyed(config.sign_in_account.quota()),
            sign_in_address: RateLimiter::keyed(config.sign_in_address.quota()),
            invite_address: RateLimiter::keyed(config.invite_address.quota()),
        }
    }

    /// One sign-in try for `email` from `address`.
    pub fn sign_in(&self, email: &str, address: Option<IpAddr>) -> Result<(), AppError> {
        if let Some(address) = address {
            allowed(
                self.sign_in_address.check_key(&address).is_ok(),
                "sign-in per address",
            )?;
        }
        let account = email.trim().to_lowercase();
        allowed(
            self.sign_in_account.check_key(&account).is_ok(),
            "sign-in per account",
        )
    }

    /// One invite look-up or join from `address`.
    pub fn invite(&self, address: Option<IpAddr>) -> Result<(), AppError> {
        match address {
            Some(address) => allowed(
                self.invite_address.check_key(&address).is_ok(),
                "invite per address",
            ),
            None => Ok(()),
        }
    }

    /// Forgets buckets that are full again, so memory stays bounded.
    pub fn forget_idle(&self) {
        self.sign_in_account.retain_recent();
        self.sign_in_address.retain_recent();
        self.invite_address.retain_recent();
        self.sign_in_account.shrink_to_fit();
        self.sign_in_address.shrink_to_fit();
        self.invite_address.shrink_to_fit();
    }
}

fn allowed(ok: bool, which: &'static str) -> Result<(), AppError> {
    if ok {
        Ok(())
    } else {
        tracing::warn!(limit = which, "rate limit reached");
        Err(AppError::TooMany)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_refuse_nonsense() {
        assert_eq!(
            Rate::parse("10/300"),
            Some(Rate {
                tries: 10,
                seconds: 300
            })
        );
        for bad in ["", "10", "0/5", "5/0", "x/5", "-1/5"] {
            assert_eq!(Rate::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_bucket_refuses_after_its_tries_and_counts_per_key() {
        let limits = RateLimits::new(RateConfig {
            sign_in_account: Rate {
                tries: 3,
                seconds: 3600,
            },
            ..RateConfig::default()
        });
        for _ in 0..3 {
            assert_eq!(limits.sign_in("a@x.be", None), Ok(()));
        }
        assert_eq!(limits.sign_in("A@x.be ", None), Err(AppError::TooMany));
        assert_eq!(limits.sign_in("b@x.be", None), Ok(()), "another account");
    }
}
