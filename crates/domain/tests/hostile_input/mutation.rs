//! Mutations of a file: byte by byte (any text), and value by value on its
//! JSON tree (the file stays JSON, often well-typed, so that the checks
//! after decoding run). `Bases` holds what a data-file target mutates.

use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::{json, Number, Value};

use crate::corpus::corpus;
use crate::json::json_value;
use crate::text::hostile_text;

#[derive(Debug, Clone)]
pub(crate) enum ByteOp {
    Flip(Index, u8),
    Insert(Index, u8),
    Delete(Index),
    Truncate(Index),
}

pub(crate) fn byte_op() -> impl Strategy<Value = ByteOp> {
    let byte = prop_oneof![any::<u8>(), select(b"{}[]\",:-+.0123456789eE\\ntrufalse/ ".to_vec())];
    prop_oneof![
        4 => (any::<Index>(), 1u8..=255).prop_map(|(i, x)| ByteOp::Flip(i, x)),
        4 => (any::<Index>(), byte).prop_map(|(i, b)| ByteOp::Insert(i, b)),
        4 => any::<Index>().prop_map(ByteOp::Delete),
        1 => any::<Index>().prop_map(ByteOp::Truncate),
    ]
}

pub(crate) fn mutate_bytes(src: &str, ops: &[ByteOp]) -> String {
    let mut b = src.as_bytes().to_vec();
    for op in ops {
        match *op {
            ByteOp::Flip(ref i, x) if !b.is_empty() => {
                let i = i.index(b.len());
                b[i] ^= x;
            }
            ByteOp::Insert(ref i, x) => {
                let i = i.index(b.len() + 1);
                b.insert(i, x);
            }
            ByteOp::Delete(ref i) if !b.is_empty() => {
                let i = i.index(b.len());
                b.remove(i);
            }
            ByteOp::Truncate(ref i) => {
                let i = i.index(b.len() + 1);
                b.truncate(i);
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

#[derive(Debug, Clone)]
pub(crate) enum Seg {
    Key(String),
    At(usize),
}

/// Every node of a JSON tree (the root excluded), as paths.
pub(crate) fn all_paths(v: &Value) -> Vec<Vec<Seg>> {
    fn walk(v: &Value, here: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    here.push(Seg::Key(k.clone()));
                    out.push(here.clone());
                    walk(child, here, out);
                    here.pop();
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    here.push(Seg::At(i));
                    out.push(here.clone());
                    walk(child, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn node_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get_mut(k.as_str()),
        Seg::At(i) => v.get_mut(*i),
    })
}

#[derive(Debug, Clone)]
pub(crate) enum ValueOp {
    /// The node becomes another value (another type, an extreme number,
    /// an empty or huge or hostile string, a random tree).
    Replace(Value),
    /// The node's key is dropped from its object, or its element from its array.
    Remove,
    /// The node's parent object gains an unknown key (or its array a copy).
    Duplicate,
    /// The node's key is renamed (a typo in the file).
    Rename(String),
    /// A string node gets other text (other nodes are left alone), so that
    /// the file stays well-typed and the checks after decoding run.
    Retext(String),
}

pub(crate) fn extreme_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        select(vec![
            json!(0),
            json!(-1),
            json!(1),
            json!(u32::MAX),
            json!(u64::from(u32::MAX) + 1),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(0.5),
            json!(-0.0),
            json!(1e300),
            json!(13),
            json!(32),
            json!(262_143),
            json!(-262_144),
        ]),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        Just(json!("")),
        Just(json!(" ")),
        hostile_text().prop_map(Value::String),
        select(vec![
            "99:99",
            "24:00",
            "23:59:60",
            "2025-02-30",
            "+262142-12-31",
            "-262143-01-01",
            "10000-01-01",
            "office",
            "portal",
            "Std app. 0",
            "Std app. 99999999999999999999"
        ])
        .prop_map(Value::from),
        Just(json!([])),
        Just(json!({})),
        Just(json!([null, 0, "", {}])),
    ]
}

pub(crate) fn value_op() -> impl Strategy<Value = ValueOp> {
    prop_oneof![
        6 => hostile_text().prop_map(ValueOp::Retext),
        6 => extreme_value().prop_map(ValueOp::Replace),
        1 => json_value().prop_map(ValueOp::Replace),
        3 => Just(ValueOp::Remove),
        1 => Just(ValueOp::Duplicate),
        1 => select(vec!["", "x", "Code", "kk ", "ru\u{0}", "years", "comment"]).prop_map(|s| ValueOp::Rename(s.to_owned())),
    ]
}

pub(crate) fn mutate_value(v: &mut Value, paths: &[Vec<Seg>], ops: &[(Index, ValueOp)]) {
    for (at, op) in ops {
        // Paths are taken from the unmutated tree; after a removal some no
        // longer exist, and that mutation is then skipped.
        let path = &paths[at.index(paths.len())];
        let (last, parent_path) = path.split_last().expect("root excluded");
        match op {
            ValueOp::Replace(new) => {
                if let Some(n) = node_mut(v, path) {
                    *n = new.clone();
                }
            }
            ValueOp::Remove => match (node_mut(v, parent_path), last) {
                (Some(Value::Object(m)), Seg::Key(k)) => {
                    m.remove(k);
                }
                (Some(Value::Array(a)), Seg::At(i)) if *i < a.len() => {
                    a.remove(*i);
                }
                _ => {}
            },
            ValueOp::Duplicate => match (node_mut(v, parent_path), last) {
                (Some(Value::Object(m)), Seg::Key(k)) => {
                    if let Some(x) = m.get(k).cloned() {
                        m.insert(format!("{k}_unknown"), x);
                    }
                }
                (Some(Value::Array(a)), Seg::At(i)) if *i < a.len() => {
                    let x = a[*i].clone();
                    a.push(x);
                }
                _ => {}
            },
            ValueOp::Retext(text) => {
                if let Some(Value::String(old)) = node_mut(v, path) {
                    *old = text.clone();
                }
            }
            ValueOp::Rename(to) => {
                if let (Some(Value::Object(m)), Seg::Key(k)) = (node_mut(v, parent_path), last) {
                    if let Some(x) = m.remove(k) {
                        m.insert(to.clone(), x);
                    }
                }
            }
        }
    }
}

/// A JSON file with its tree and the path of every node in it.
pub(crate) struct JsonFile {
    pub(crate) text: String,
    pub(crate) value: Value,
    pub(crate) paths: Vec<Vec<Seg>>,
}

pub(crate) fn json_file(text: &str) -> JsonFile {
    let value: Value = serde_json::from_str(text).expect("shipped JSON");
    let paths = all_paths(&value);
    JsonFile { text: text.to_owned(), value, paths }
}

/// What a data-file target mutates: the shipped file first, then every seed
/// of its corpus (byte mutations take all, value mutations those that are
/// JSON).
pub(crate) struct Bases {
    texts: Vec<String>,
    trees: Vec<JsonFile>,
}

pub(crate) fn bases(shipped_text: &str, target: &str) -> Bases {
    let mut texts = vec![shipped_text.to_owned()];
    let mut trees = vec![json_file(shipped_text)];
    for seed in corpus(target) {
        if serde_json::from_str::<Value>(&seed.text).is_ok() {
            trees.push(json_file(&seed.text));
        }
        texts.push(seed.text);
    }
    Bases { texts, trees }
}

impl Bases {
    pub(crate) fn text(&self, i: &Index) -> &str {
        &self.texts[i.index(self.texts.len())]
    }

    /// A tree mutated by `ops`, as compact and as pretty JSON.
    pub(crate) fn mutated(&self, i: &Index, ops: &[(Index, ValueOp)]) -> [String; 2] {
        let base = &self.trees[i.index(self.trees.len())];
        let mut v = base.value.clone();
        if !base.paths.is_empty() {
            mutate_value(&mut v, &base.paths, ops);
        }
        [serde_json::to_string(&v).unwrap(), serde_json::to_string_pretty(&v).unwrap()]
    }
}

pub(crate) fn byte_ops() -> impl Strategy<Value = (Index, Vec<ByteOp>)> {
    (any::<Index>(), proptest::collection::vec(byte_op(), 1..6))
}

pub(crate) fn value_ops() -> impl Strategy<Value = (Index, Vec<(Index, ValueOp)>)> {
    (any::<Index>(), proptest::collection::vec((any::<Index>(), value_op()), 1..4))
}
