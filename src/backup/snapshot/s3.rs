//! The S3 [`Store`]: `s3://bucket/prefix` through `object_store`, with credentials, region
//! and endpoint from the usual `AWS_*` environment variables (`AmazonS3Builder::from_env`:
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT` or
//! `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`, …).
//!
//! Credentials never reach a message: a URL with a user part (`s3://KEY:SECRET@bucket`) is
//! refused without being quoted, and every error goes through [`super::redact`].
//!
//! `object_store` is async; the store owns a small tokio runtime and blocks on it, so the
//! rest of the repository code stays synchronous. Several worker threads may block on it at
//! once, which is how uploads and downloads overlap.

use std::time::Duration;

use futures::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path;
use object_store::{
    ClientConfigKey, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, RetryConfig,
};

use super::store::{check_key, Store, StoreResult};

/// The client's timeouts, each unless its environment variable is set (`object_store` reads
/// those itself, e.g. `AWS_READ_TIMEOUT=10s`):
/// - connecting: 5 s;
/// - no byte of the answer for 30 s (a stalled server): the attempt fails;
/// - one whole request: 5 minutes, enough for a 24 MiB pack at 80 KB/s (object_store's
///   default of 30 s would fail every pack upload on a link slower than about 7 Mbit/s).
///
/// A failed attempt is retried (with backoff) at most [`MAX_RETRIES`] times, and not once
/// [`RETRY_WINDOW`] has passed since the first; so a request that meets a stalled server
/// fails after at most about two minutes.
pub const TIMEOUTS: [(&str, ClientConfigKey, &str); 3] = [
    ("AWS_CONNECT_TIMEOUT", ClientConfigKey::ConnectTimeout, "5s"),
    ("AWS_READ_TIMEOUT", ClientConfigKey::ReadTimeout, "30s"),
    ("AWS_TIMEOUT", ClientConfigKey::Timeout, "300s"),
];

/// Retries of one request after its first attempt.
pub const MAX_RETRIES: usize = 4;

/// No retry starts later than this after the first attempt.
pub const RETRY_WINDOW: Duration = Duration::from_secs(60);

/// A repository under a prefix of an S3 bucket.
pub struct S3Store {
    rt: tokio::runtime::Runtime,
    s3: AmazonS3,
    bucket: String,
    /// The key prefix, without slashes at either end (may be empty).
    prefix: String,
}

impl S3Store {
    /// Opens `bucket/prefix` (the part of the URL after `s3://`).
    pub fn open(rest: &str) -> StoreResult<Self> {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.contains('@') {
            // Not quoted: what comes before the @ would be a key or a secret.
            return Err("an s3:// URL cannot carry credentials: give them in \
                        AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                .into());
        }
        if bucket.is_empty() {
            return Err("s3:// needs a bucket name: s3://bucket/prefix".into());
        }
        let prefix = prefix.trim_matches('/').to_string();
        let mut b = AmazonS3Builder::from_env().with_bucket_name(bucket);
        // from_env knows AWS_ENDPOINT and AWS_ENDPOINT_URL; AWS_REGION is the variable the
        // AWS tools use, AWS_DEFAULT_REGION the older one.
        if let Ok(r) = std::env::var("AWS_REGION") {
            b = b.with_region(r);
        }
        // Bounded waits (see TIMEOUTS): a server that stops answering ends in an error.
        for (var, key, default) in TIMEOUTS {
            if std::env::var_os(var).is_none() {
                b = b.with_config(AmazonS3ConfigKey::Client(key), default);
            }
        }
        let b = b.with_retry(RetryConfig {
            max_retries: MAX_RETRIES,
            retry_timeout: RETRY_WINDOW,
            ..RetryConfig::default()
        });
        let s3 = b
            .build()
            .map_err(|e| super::redact::redact(&format!("cannot open s3://{rest}: {e}")))?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("litesh-s3")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the S3 client: {e}"))?;
        Ok(S3Store {
            rt,
            s3,
            bucket: bucket.to_string(),
            prefix,
        })
    }

    fn path(&self, key: &str) -> StoreResult<Path> {
        check_key(key)?;
        let full = if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}/{key}", self.prefix)
        };
        Path::parse(&full).map_err(|e| format!("bad object key {key:?}: {e}"))
    }

    fn err(&self, what: &str, key: &str, e: object_store::Error) -> String {
        super::redact::redact(&format!("{what} {}: {e}", self.url(key)))
    }

    fn url(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}/{key}", self.bucket)
        } else {
            format!("s3://{}/{}/{key}", self.bucket, self.prefix)
        }
    }
}

impl Store for S3Store {
    fn put_if_absent(&self, key: &str, data: &[u8]) -> StoreResult<bool> {
        let p = self.path(key)?;
        let payload = PutPayload::from(data.to_vec());
        let opts = PutOptions {
            mode: PutMode::Create,
            ..PutOptions::default()
        };
        match self.rt.block_on(self.s3.put_opts(&p, payload, opts)) {
            Ok(_) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
            // A server without conditional PUTs: ask first (callers that need exclusive
            // creation read back what they wrote).
            Err(object_store::Error::NotImplemented { .. }) => {
                if self.exists(key)? {
                    return Ok(false);
                }
                self.put(key, data)?;
                Ok(true)
            }
            Err(e) => Err(self.err("cannot store", key, e)),
        }
    }

    fn put(&self, key: &str, data: &[u8]) -> StoreResult<()> {
        let p = self.path(key)?;
        let payload = PutPayload::from(data.to_vec());
        self.rt
            .block_on(self.s3.put(&p, payload))
            .map(|_| ())
            .map_err(|e| self.err("cannot store", key, e))
    }

    fn get(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let p = self.path(key)?;
        let r = self.rt.block_on(async {
            let g = self.s3.get(&p).await?;
            g.bytes().await
        });
        match r {
            Ok(b) => Ok(Some(b.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.err("cannot read", key, e)),
        }
    }

    fn get_range(&self, key: &str, offset: u64, len: u64) -> StoreResult<Option<Vec<u8>>> {
        if len == 0 {
            return Ok(if self.exists(key)? {
                Some(Vec::new())
            } else {
                None
            });
        }
        let p = self.path(key)?;
        let r = self
            .rt
            .block_on(self.s3.get_range(&p, offset..offset + len));
        match r {
            Ok(b) => Ok(Some(b.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.err("cannot read", key, e)),
        }
    }

    fn age_secs(&self, key: &str) -> StoreResult<Option<u64>> {
        let p = self.path(key)?;
        match self.rt.block_on(self.s3.head(&p)) {
            Ok(m) => {
                let age = super::manifest::now() - m.last_modified.timestamp();
                Ok(Some(age.max(0) as u64))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.err("cannot read", key, e)),
        }
    }

    fn list(&self, prefix: &str) -> StoreResult<Vec<String>> {
        let base = prefix.trim_end_matches('/');
        let p = if base.is_empty() {
            if self.prefix.is_empty() {
                None
            } else {
                Some(Path::from(self.prefix.as_str()))
            }
        } else {
            Some(self.path(base)?)
        };
        let metas: Vec<_> = self
            .rt
            .block_on(self.s3.list(p.as_ref()).try_collect())
            .map_err(|e| self.err("cannot list", prefix, e))?;
        let strip = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let mut out: Vec<String> = metas
            .into_iter()
            .filter_map(|m| {
                m.location
                    .as_ref()
                    .strip_prefix(strip.as_str())
                    .map(str::to_string)
            })
            .collect();
        out.sort();
        Ok(out)
    }

    fn delete(&self, key: &str) -> StoreResult<()> {
        let p = self.path(key)?;
        match self.rt.block_on(self.s3.delete(&p)) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.err("cannot delete", key, e)),
        }
    }

    fn exists(&self, key: &str) -> StoreResult<bool> {
        let p = self.path(key)?;
        match self.rt.block_on(self.s3.head(&p)) {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.err("cannot read", key, e)),
        }
    }

    fn put_object(&self, key: &str, data: &[u8]) -> StoreResult<bool> {
        // Content-addressed (a pack, an index): the same key always has the same bytes, so
        // ask first and then PUT plainly. A conditional PUT of a large pack that exists
        // already can fail in transport: a server may answer 412 and close the connection
        // before it has read the body.
        if self.exists(key)? {
            return Ok(false);
        }
        self.put(key, data)?;
        Ok(true)
    }

    fn parallelism(&self) -> usize {
        16
    }

    fn describe(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }
}
