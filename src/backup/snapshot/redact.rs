//! Keeping object-storage credentials out of what litesh says.
//!
//! Errors from `object_store` quote the request URL and the server's answer. A URL may
//! carry credentials (`AWS_ENDPOINT=http://KEY:SECRET@host`), and an answer may echo the
//! request: AWS's `SignatureDoesNotMatch` body holds the access key id, the string to sign
//! and the canonical request (with the session token header), and a misconfigured endpoint
//! (a proxy, an echo service) may return every header, the `Authorization` line included.
//! So every S3 message goes through [`redact`] before it is shown:
//!
//! - the values of `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` and
//!   `AWS_TOKEN` (as they are and percent-encoded) become `[redacted]`;
//! - the user part of any URL (`scheme://USER:PASSWORD@`) becomes `[redacted]@`;
//! - an S3 error document is cut to its `<Code>` and `<Message>`;
//! - what an echoed request would show of the signature (`Credential=…`, `Signature=…`,
//!   `X-Amz-Security-Token…`, `X-Amz-Credential…`, `X-Amz-Signature…`) is redacted, for
//!   credentials that came from elsewhere (an instance profile, a web identity).

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// The environment variables whose values are credentials.
pub const SECRET_VARS: [&str; 4] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_TOKEN",
];

fn patterns() -> &'static [(Regex, &'static str)] {
    static P: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    P.get_or_init(|| {
        [
            // scheme://user:password@ or scheme://user@
            (r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@", "${1}[redacted]@"),
            // SigV4 in a header or a query string
            (r"(?i)(Credential=)[^\s,&]+", "${1}[redacted]"),
            (r"(?i)(Signature=)[^\s,&]+", "${1}[redacted]"),
            (
                r"(?i)(X-Amz-(?:Security-Token|Credential|Signature)\s*[:=]\s*)[^\s,&<]+",
                "${1}[redacted]",
            ),
            (
                r"(?is)(<(?:AWSAccessKeyId|StringToSign|StringToSignBytes|CanonicalRequest|CanonicalRequestBytes|SignatureProvided)>).*?(</[a-z]+>)",
                "${1}[redacted]${2}",
            ),
        ]
        .into_iter()
        .map(|(re, with)| (Regex::new(re).expect("valid pattern"), with))
        .collect()
    })
}

/// An S3 error document (`<?xml …><Error><Code>…</Code><Message>…</Message>…`) cut to
/// `Code: Message`.
fn error_document(msg: &str) -> Cow<'_, str> {
    static DOC: OnceLock<Regex> = OnceLock::new();
    static FIELD: OnceLock<Regex> = OnceLock::new();
    let doc = DOC.get_or_init(|| {
        Regex::new(r"(?s)(?:<\?xml[^>]*\?>\s*)?<Error>.*?(?:</Error>|$)").expect("valid pattern")
    });
    let field = FIELD.get_or_init(|| {
        Regex::new(r"(?s)<(Code|Message)>(.*?)</(?:Code|Message)>").expect("valid pattern")
    });
    doc.replace_all(msg, |c: &regex::Captures<'_>| {
        let parts: Vec<&str> = field
            .captures_iter(&c[0])
            .map(|f| f.get(2).map_or("", |m| m.as_str()))
            .collect();
        if parts.is_empty() {
            "(error document)".to_string()
        } else {
            parts.join(": ")
        }
    })
}

/// The credentials in the environment, longest first (so that a value holding another
/// is replaced whole).
fn secret_values() -> Vec<String> {
    let mut v: Vec<String> = SECRET_VARS
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .filter(|s| s.len() >= 4)
        .collect();
    v.sort_by_key(|s| std::cmp::Reverse(s.len()));
    v
}

/// `s` percent-encoded as in a URL query (unreserved characters kept).
fn percent_encoded(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `msg` with every credential it might hold replaced (see the module doc).
pub fn redact(msg: &str) -> String {
    redact_with(msg, &secret_values())
}

/// [`redact`] with the secret values given.
pub fn redact_with(msg: &str, secrets: &[String]) -> String {
    let mut s = error_document(msg).into_owned();
    for secret in secrets {
        s = s.replace(secret.as_str(), REDACTED);
        let enc = percent_encoded(secret);
        if enc != *secret {
            s = s.replace(&enc, REDACTED);
            s = s.replace(&enc.to_lowercase(), REDACTED);
        }
    }
    for (re, with) in patterns() {
        if let Cow::Owned(o) = re.replace_all(&s, *with) {
            s = o;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> Vec<String> {
        vec!["AKIDEXAMPLE".into(), "wJalr/XUtnF+EMI=K7MDENG".into()]
    }

    #[test]
    fn values_of_the_credentials_are_replaced_also_percent_encoded() {
        let m = "GET http://h/b?X-Amz-Date=1&token=wJalr%2FXUtnF%2BEMI%3DK7MDENG key AKIDEXAMPLE and wJalr/XUtnF+EMI=K7MDENG";
        let r = redact_with(m, &secrets());
        assert!(!r.contains("AKIDEXAMPLE") && !r.contains("wJalr"), "{r}");
        assert_eq!(r.matches(REDACTED).count(), 3, "{r}");
    }

    #[test]
    fn url_user_parts_are_replaced() {
        let r = redact_with(
            "Error performing GET http://someone:hunter2@127.0.0.1:1/b/k in 2ms; s3://key@bucket/x",
            &[],
        );
        assert_eq!(
            r,
            "Error performing GET http://[redacted]@127.0.0.1:1/b/k in 2ms; s3://[redacted]@bucket/x"
        );
    }

    #[test]
    fn an_error_document_is_cut_to_code_and_message() {
        let body = "403 Forbidden: <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message><AWSAccessKeyId>AKIAOTHER</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n20240101T000000Z</StringToSign><SignatureProvided>abc</SignatureProvided><CanonicalRequest>GET\n/\nx-amz-security-token:TOKENVALUE\n</CanonicalRequest></Error>";
        let r = redact_with(body, &[]);
        assert_eq!(
            r,
            "403 Forbidden: SignatureDoesNotMatch: The request signature we calculated does not match"
        );
    }

    #[test]
    fn an_echoed_request_loses_its_signature_parts() {
        let echo = "authorization: AWS4-HMAC-SHA256 Credential=AKIAOTHER/20240101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123abcd\nx-amz-security-token: FQoGZXIvYXdzEXAMPLE\nX-Amz-Credential=AKIAOTHER%2F2024&X-Amz-Signature=beef";
        let r = redact_with(echo, &[]);
        for gone in ["AKIAOTHER", "0123abcd", "FQoGZXIvYXdzEXAMPLE", "beef"] {
            assert!(!r.contains(gone), "{gone} in {r}");
        }
        assert!(r.contains("SignedHeaders=host;x-amz-date"), "{r}");
    }

    #[test]
    fn ordinary_messages_are_left_alone() {
        let m = "cannot read s3://bucket/repo/config.json: Generic S3 error: HTTP error: error sending request";
        assert_eq!(redact_with(m, &secrets()), m);
    }
}
