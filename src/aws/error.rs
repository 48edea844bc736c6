//! The one error type of every AWS call: the service's code and message as
//! AWS sent them (for display), and a typed [`ErrorKind`] that callers
//! match on. The kind comes from the error code of the SDK's error metadata
//! (`ProvideErrorMetadata::code()`) or from the kind of transport failure,
//! never from the wording of a message (see [`super::sdk_error`]).

use std::fmt;

/// What kind of failure an AWS call met, for callers to decide on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The service throttled the request (the SDK already retried).
    Throttled,
    /// The resource does not exist.
    NotFound,
    /// The request was refused as invalid.
    Validation,
    /// The credentials are valid but not allowed to do this.
    AccessDenied,
    /// The resource already exists, or is in a state that conflicts.
    Conflict,
    /// No usable credentials: missing, expired or unknown.
    Credentials,
    /// No answer came back (connection, DNS, I/O).
    Network,
    /// The call timed out.
    Timeout,
    /// Anything else.
    Other,
}

/// The error codes AWS services use for throttling (the same list the SDK's
/// retry classifier uses).
const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

const CREDENTIALS: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "IncompleteSignature",
    "MissingAuthenticationToken",
    "AuthFailure",
    "RequestExpired",
];

const ACCESS_DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "UnauthorizedException",
];

const VALIDATION: &[&str] = &[
    "ValidationError",
    "ValidationException",
    "InvalidParameter",
    "InvalidParameterValue",
    "InvalidParameterException",
    "InvalidParameterValueException",
    "InvalidParameterCombination",
    "InvalidParameterCombinationException",
    "InvalidRequest",
    "InvalidRequestException",
    "MissingParameter",
    "InvalidInput",
];

const CONFLICT: &[&str] = &[
    "BucketAlreadyOwnedByYou",
    "BucketAlreadyExists",
    "ResourceInUseException",
    "ConflictException",
    "TransactionConflictException",
    "ConditionalCheckFailedException",
];

impl ErrorKind {
    /// The kind of a service error code (`ThrottlingException`,
    /// `RepositoryNotFoundException`, `NoSuchBucket`, ...). Not-found and
    /// already-exists codes follow AWS's naming convention (`…NotFound…`,
    /// `NoSuch…`, `…AlreadyExists…`); the others are listed.
    #[must_use]
    pub fn of_code(code: &str) -> Self {
        if THROTTLING.contains(&code) {
            Self::Throttled
        } else if CREDENTIALS.contains(&code) {
            Self::Credentials
        } else if ACCESS_DENIED.contains(&code) {
            Self::AccessDenied
        } else if code.ends_with("NotFoundException")
            || code.ends_with("NotFound")
            || code.ends_with("NotFoundFault")
            || code.ends_with(".NotFound")
            || code.starts_with("NoSuch")
        {
            Self::NotFound
        } else if code.ends_with("AlreadyExistsException")
            || code.ends_with("AlreadyExists")
            || code.ends_with("AlreadyExistsFault")
            || CONFLICT.contains(&code)
        {
            Self::Conflict
        } else if VALIDATION.contains(&code) {
            Self::Validation
        } else {
            Self::Other
        }
    }
}

/// An AWS call that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// The service's error code (`ValidationError`, `Throttling`, ...), or
    /// empty when no answer came back.
    pub code: String,
    /// The service's message (or the transport error and its causes).
    pub message: String,
}

impl ApiError {
    /// An error with a service code (its kind follows from the code) and a
    /// message.
    #[must_use]
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::of_code(code),
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// An error of a given kind.
    #[must_use]
    pub fn of_kind(kind: ErrorKind, code: &str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// True when the resource does not exist.
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.code.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}

impl std::error::Error for ApiError {}

/// The result of one AWS call.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_code() {
        for (code, kind) in [
            ("Throttling", ErrorKind::Throttled),
            ("ThrottlingException", ErrorKind::Throttled),
            ("RequestLimitExceeded", ErrorKind::Throttled),
            ("ExpiredToken", ErrorKind::Credentials),
            ("UnrecognizedClientException", ErrorKind::Credentials),
            ("AccessDeniedException", ErrorKind::AccessDenied),
            ("UnauthorizedOperation", ErrorKind::AccessDenied),
            ("RepositoryNotFoundException", ErrorKind::NotFound),
            ("ResourceNotFoundException", ErrorKind::NotFound),
            ("InvalidVpcID.NotFound", ErrorKind::NotFound),
            ("NoSuchBucket", ErrorKind::NotFound),
            ("ReplicationGroupNotFoundFault", ErrorKind::NotFound),
            ("RepositoryAlreadyExistsException", ErrorKind::Conflict),
            ("AlreadyExistsException", ErrorKind::Conflict),
            ("BucketAlreadyOwnedByYou", ErrorKind::Conflict),
            ("ValidationError", ErrorKind::Validation),
            ("InvalidParameterException", ErrorKind::Validation),
            ("InternalFailure", ErrorKind::Other),
            ("", ErrorKind::Other),
        ] {
            assert_eq!(ErrorKind::of_code(code), kind, "{code}");
        }
    }

    #[test]
    fn display_keeps_the_code_and_message() {
        let e = ApiError::new("AccessDenied", "no");
        assert_eq!(e.to_string(), "AccessDenied: no");
        let e = ApiError::of_kind(ErrorKind::Network, "", "connection refused");
        assert_eq!(e.to_string(), "connection refused");
    }
}
