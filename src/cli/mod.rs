//! stub
pub fn run<I>(_a: I) -> i32 {
    0
}
