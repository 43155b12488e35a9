//! Shared by the fuzz targets: reading structured values out of the fuzzer's bytes.
#![allow(dead_code)]

/// Takes values off the front of the input; past the end, everything is empty or zero.
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    pub fn byte(&mut self) -> u8 {
        let (first, rest) = self.data.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
        self.data = rest;
        first
    }

    pub fn u16(&mut self) -> u16 {
        u16::from(self.byte()) << 8 | u16::from(self.byte())
    }

    /// Up to `max` bytes, the length taken from the input.
    pub fn bytes(&mut self, max: usize) -> &'a [u8] {
        let wanted = usize::from(self.u16()) % (max + 1);
        let take = wanted.min(self.data.len());
        let (head, tail) = self.data.split_at(take);
        self.data = tail;
        head
    }

    pub fn text(&mut self, max: usize) -> String {
        String::from_utf8_lossy(self.bytes(max)).into_owned()
    }

    /// Text as Envoy's HTTP codec lets it reach a filter: no CR, LF or NUL (a request or an
    /// upstream answer carrying one is refused before any filter sees it).
    pub fn header_value(&mut self, max: usize) -> String {
        self.text(max).replace(['\r', '\n', '\0'], "")
    }

    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// No CR, LF or NUL may reach a header Envoy forwards.
pub fn assert_clean_headers(headers: &[(String, Vec<u8>)]) {
    for (name, value) in headers {
        assert!(!value.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)), "header {name} carries CR/LF/NUL: {value:?}");
        assert!(!name.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)), "header name {name:?} carries CR/LF/NUL");
    }
}
