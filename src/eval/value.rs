//! Values as the Java objects API Gateway hands a template, with Java's
//! `toString` and equality.

use std::cell::{Cell, RefCell};
use std::fmt::Write;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::rc::Rc;

use indexmap::{Equivalent, IndexMap};
use rustc_hash::FxHasher;

use super::decimal::Decimal;
use crate::syntax::ast::Block;

/// How a list prints and what it allows: `java.util.ArrayList` (`[a, b]`),
/// json-smart's `JSONArray` (compact JSON with `/` escaped), or a Java array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// Velocity list literals and ranges, and the lists methods return.
    ArrayList,
    /// Arrays read from JSON by `$input.path` and `$util.parseJson`.
    JsonArray,
    /// A Java array (`String.split`, `String.getBytes`): fixed size, and it
    /// prints as `[Ljava.lang.String;@1b6d3586`.
    JavaArray(ArrayType),
}

/// The element type of a Java array, which names it when printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayType {
    /// `String[]`.
    String,
    /// `byte[]`.
    Byte,
    /// `char[]`.
    Char,
    /// `Object[]` (`List.toArray()`).
    Object,
}

/// Printing stops once its text passes the render's output limit: a value
/// that shares sublists (`#set($x = [$x, $x])` in a loop) prints
/// exponentially. The caller sees the length and reports the overflow.
pub(crate) const OUTPUT_BUDGET: usize = crate::eval::interp::MAX_OUTPUT;

/// How deep printing and comparing may recurse into nested lists and maps.
/// Templates can build cycles (`$m.put('me', $m)`); Java overflows its stack
/// on an indirect one, we stop here instead of crashing.
const MAX_VALUE_DEPTH: u32 = 500;

thread_local! {
    static VALUE_DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// One level of recursion into a value; `None` past `MAX_VALUE_DEPTH`.
pub(crate) struct DepthGuard(());

/// How deep comparing goes: Java 17's `equals` on nested lists answered
/// 2,000 levels deep and overflowed its stack at 3,000 (the depth varies
/// with the JVM's stack and JIT).
const MAX_EQUALITY_DEPTH: u32 = 2_500;

/// Most collections one comparison opens.
const MAX_EQUALITY_STEPS: u32 = 10_000_000;

impl DepthGuard {
    pub(crate) fn enter() -> Option<DepthGuard> {
        VALUE_DEPTH.with(|d| {
            if d.get() >= MAX_VALUE_DEPTH {
                None
            } else {
                d.set(d.get() + 1);
                Some(DepthGuard(()))
            }
        })
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        VALUE_DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

thread_local! {
    /// Set when a comparison or a `hashCode()` stopped at its limits (a
    /// cycle, lists nested thousands deep, sublists shared level after
    /// level), where Java overflows its stack or runs until API Gateway
    /// gives up: the interpreter turns it into an error.
    static EQUALITY_TOO_DEEP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Note that a comparison or a hash stopped at its limit.
pub(crate) fn note_too_deep() {
    EQUALITY_TOO_DEEP.with(|f| f.set(true));
}

/// Whether a comparison or hash stopped at its limits since the last call
/// (and forget it).
pub(crate) fn take_equality_overflow() -> bool {
    EQUALITY_TOO_DEEP.with(|f| f.get() && f.replace(false))
}

/// A map key. Java compares keys with `equals`, so keys keep their type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A string key, the usual case.
    Str(Rc<str>),
    /// An integer key.
    Int(i128),
    /// A boolean key.
    Bool(bool),
    /// `null` as a key.
    Null,
    /// Any other key, by its printed form.
    Other(Rc<str>),
}

// A string key hashes exactly as its `str`, so that `StrKey` can look it up
// without building a `Key` (and allocating its `Rc`).
impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Key::Str(s) => s.hash(state),
            Key::Int(i) => {
                state.write_u8(1);
                i.hash(state);
            }
            Key::Bool(b) => {
                state.write_u8(2);
                b.hash(state);
            }
            Key::Null => state.write_u8(3),
            Key::Other(s) => {
                state.write_u8(4);
                s.hash(state);
            }
        }
    }
}

/// A borrowed string used to look a `Key::Str` up in a map.
#[derive(Hash)]
pub struct StrKey<'a>(pub &'a str);

impl Equivalent<Key> for StrKey<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        matches!(key, Key::Str(s) if **s == *self.0)
    }
}

/// `map.get(name)` for a string key. Most maps a template reads are small
/// (request parameters, a JSON object), and scanning them beats hashing.
#[inline]
pub fn get_str<'m>(map: &'m JMap, name: &str) -> Option<&'m Value> {
    const SCANNED: usize = 8;
    if map.len() <= SCANNED {
        return map
            .iter()
            .find(
                |(k, _)| matches!(k, Key::Str(s) if same_short_text(s.as_bytes(), name.as_bytes())),
            )
            .map(|(_, v)| v);
    }
    map.get(&StrKey(name))
}

/// `a == b` for the short keys of request maps (`path`, `header`, a
/// parameter name), compared in two overlapping word loads instead of a
/// `memcmp` call, which costs more than the comparison itself.
#[inline(always)]
pub(crate) fn same_short_text(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| -> u64 {
        let mut w = [0u8; 8];
        if let Some(bytes) = s.get(at..at + 8) {
            w.copy_from_slice(bytes);
        }
        u64::from_le_bytes(w)
    };
    let half = |s: &[u8], at: usize| -> u32 {
        let mut w = [0u8; 4];
        if let Some(bytes) = s.get(at..at + 4) {
            w.copy_from_slice(bytes);
        }
        u32::from_le_bytes(w)
    };
    match n {
        0 => true,
        1..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=8 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        9..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

/// The maps templates see. Insertion-ordered like `LinkedHashMap`; hashed
/// with FxHash because keys come from the template author, not an attacker,
/// and SipHash dominated render time.
pub type JMap = IndexMap<Key, Value, BuildHasherDefault<FxHasher>>;

/// A shared, mutable, insertion-ordered map (`LinkedHashMap`).
pub type MapRef = Rc<MapCell>;
/// A shared, mutable list.
pub type ListRef = Rc<ListCell>;

/// A list's storage. Dropping it recurses only a few levels deep: a
/// template can nest lists a million deep (`#set($x = [$x])` in two nested
/// loops), which a recursive drop would overflow the stack on.
#[derive(Debug, Default)]
pub struct ListCell(RefCell<Vec<Value>>, Mods);

/// A map's storage; dropping it recurses only a few levels deep, as for
/// `ListCell`, and leaves its buffers to the next map (see
/// [`map_with_capacity`]).
#[derive(Debug, Default)]
pub struct MapCell(RefCell<JMap>, Mods);

/// Java's `modCount`: how many structural changes (an element added or
/// removed, a list sorted or cleared) a collection has seen, which a
/// `#foreach` over it checks before each step.
#[derive(Debug, Default)]
pub struct Mods(std::cell::Cell<u32>);

impl Mods {
    fn bump(&self) {
        self.0.set(self.0.get().wrapping_add(1));
    }

    fn count(&self) -> u32 {
        self.0.get()
    }
}

impl PartialEq for ListCell {
    fn eq(&self, other: &ListCell) -> bool {
        self.0 == other.0
    }
}

impl PartialEq for MapCell {
    fn eq(&self, other: &MapCell) -> bool {
        self.0 == other.0
    }
}

impl ListCell {
    /// A list holding `items`.
    pub fn new(items: Vec<Value>) -> ListCell {
        ListCell(RefCell::new(items), Mods::default())
    }

    /// The items, to change the list's structure (add, remove, sort,
    /// clear): the change is counted. Writes that keep the structure
    /// (`set`) borrow them as usual.
    pub fn changed(&self) -> std::cell::RefMut<'_, Vec<Value>> {
        self.1.bump();
        self.0.borrow_mut()
    }

    /// The structural changes so far.
    pub fn mods(&self) -> u32 {
        self.1.count()
    }
}

impl MapCell {
    /// A map holding `entries`.
    pub fn new(entries: JMap) -> MapCell {
        MapCell(RefCell::new(entries), Mods::default())
    }

    /// The structural changes so far.
    pub fn mods(&self) -> u32 {
        self.1.count()
    }

    /// `put`: a change of structure when the key is new.
    pub fn insert(&self, key: Key, value: Value) -> Option<Value> {
        let old = self.0.borrow_mut().insert(key, value);
        if old.is_none() {
            self.1.bump();
        }
        old
    }

    /// `remove`: a change of structure when the key was there.
    pub fn remove(&self, key: &Key) -> Option<Value> {
        let old = self.0.borrow_mut().shift_remove(key);
        if old.is_some() {
            self.1.bump();
        }
        old
    }

    /// `clear`: always counted, as `HashMap.clear` does.
    pub fn clear(&self) {
        self.0.borrow_mut().clear();
        self.1.bump();
    }
}

impl std::ops::Deref for ListCell {
    type Target = RefCell<Vec<Value>>;
    fn deref(&self) -> &RefCell<Vec<Value>> {
        &self.0
    }
}

impl std::ops::Deref for MapCell {
    type Target = RefCell<JMap>;
    fn deref(&self) -> &RefCell<JMap> {
        &self.0
    }
}

/// How deep collections nest at most before dropping one stops recursing.
const MAX_DROP_DEPTH: u32 = 64;

thread_local! {
    /// How many collection drops are under way on this thread, one inside
    /// another.
    static DROP_DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Whether `v` can hold other values: a collection, or a view or entry
/// that holds one.
fn is_collection(v: &Value) -> bool {
    matches!(
        v,
        Value::List(..) | Value::Map(_) | Value::View(_) | Value::Entry(_) | Value::Loop(_)
    )
}

/// Empty `items`, the storage of a collection that holds collections. A
/// JSON body or a template's map nests a few levels: those drop recursively
/// (`clear`), the cheap way. Past [`MAX_DROP_DEPTH`] (a template can nest
/// lists a million deep, `#set($x = [$x])` in two loops) the values
/// (`take_values`) go to a work list.
fn drop_nested<T>(
    items: &mut T,
    clear: impl FnOnce(&mut T),
    take_values: impl FnOnce(&mut T) -> Vec<Value>,
) {
    let depth = DROP_DEPTH.with(|d| d.get());
    if depth < MAX_DROP_DEPTH {
        DROP_DEPTH.with(|d| d.set(depth + 1));
        clear(items);
        DROP_DEPTH.with(|d| d.set(depth));
    } else {
        drop_flat(take_values(items));
    }
}

/// Drop nested collections with a work list instead of recursion: each
/// collection (or view or entry) this value alone holds gives up what it
/// holds to the list before it is dropped, empty.
fn drop_flat(mut pending: Vec<Value>) {
    while let Some(v) = pending.pop() {
        match v {
            Value::List(rc, _) => {
                if let Ok(mut cell) = Rc::try_unwrap(rc) {
                    pending.append(cell.0.get_mut());
                }
            }
            Value::Map(rc) => {
                if let Ok(mut cell) = Rc::try_unwrap(rc) {
                    pending.extend(std::mem::take(cell.0.get_mut()).into_values());
                }
            }
            Value::View(rc) => {
                if let Ok(view) = Rc::try_unwrap(rc) {
                    pending.extend(view.into_held());
                }
            }
            Value::Entry(rc) => {
                if let Ok(entry) = Rc::try_unwrap(rc) {
                    pending.extend(entry.into_held());
                }
            }
            // A `$foreach` scope holds its enclosing scope and its map,
            // which may hold another scope (`#set($foreach.p = $x)`).
            Value::Loop(rc) => {
                if let Ok(mut state) = Rc::try_unwrap(rc) {
                    pending.push(std::mem::take(&mut state.parent));
                    pending.push(std::mem::take(&mut state.replaced));
                    pending.extend(state.storage.get_mut().take().map(Value::Map));
                }
            }
            _ => {}
        }
    }
}

impl Drop for ListCell {
    fn drop(&mut self) {
        let mut items = std::mem::take(self.0.get_mut());
        if items.iter().any(is_collection) {
            drop_nested(&mut items, Vec::clear, std::mem::take);
        }
    }
}

impl Drop for MapCell {
    fn drop(&mut self) {
        let mut entries = std::mem::take(self.0.get_mut());
        if entries.values().any(is_collection) {
            drop_nested(&mut entries, JMap::clear, |entries| {
                std::mem::take(entries).into_values().collect()
            });
        }
        give_map(entries);
    }
}

thread_local! {
    /// Emptied maps of dropped `MapCell`s, their buffers kept: each render
    /// that reads a JSON body builds its objects again.
    static SPARE_MAPS: crate::spare::Shelf<JMap> = const { RefCell::new(Vec::new()) };
}

/// Most maps kept per thread.
const MAX_SPARE_MAPS: usize = 32;
/// Largest map worth keeping, in entries.
const MAX_SPARE_MAP_CAPACITY: usize = 16;

/// An empty map with room for `len` entries: a spare one if this thread
/// has one.
pub fn map_with_capacity(len: usize) -> JMap {
    match crate::spare::take(&SPARE_MAPS) {
        Some(mut m) => {
            // Asked of a map with room, `reserve` still grows its entries
            // to its table's size.
            if m.capacity() < len {
                m.reserve(len);
            }
            m
        }
        None => JMap::with_capacity_and_hasher(len, Default::default()),
    }
}

/// Keep a dropped map's buffers for [`map_with_capacity`].
fn give_map(mut map: JMap) {
    if map.capacity() > 0 && map.capacity() <= MAX_SPARE_MAP_CAPACITY {
        map.clear();
        crate::spare::give(&SPARE_MAPS, map, MAX_SPARE_MAPS);
    }
}

/// `$foreach.info` (Velocity's `Scope.Info`): which directive a loop scope
/// belongs to. The template is always named `template`, as the profile's
/// engine names it (API Gateway does not document its own name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopInfo {
    /// The directive's line.
    pub line: u32,
    /// The directive's column.
    pub column: u32,
    /// 1 for an outermost loop, 2 inside another, ….
    pub depth: u32,
}

impl LoopInfo {
    /// `Scope.Info.toString()`.
    pub fn write(&self, out: &mut String) {
        use std::fmt::Write;
        out.push_str("#foreach[type:block");
        if self.depth > 1 {
            let _ = write!(out, " depth:{}", self.depth);
        }
        let _ = write!(
            out,
            " template:template line:{} column:{}]",
            self.line, self.column
        );
    }
}

/// `$foreach`: Velocity's `ForeachScope`, one object for a whole run of a
/// loop, which the loop moves on at each iteration. A template that keeps
/// it (`#set($outer = $foreach)`) reads the live state later.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopState {
    /// Zero-based iteration index.
    pub index: Cell<i32>,
    /// Whether more elements follow.
    pub has_next: Cell<bool>,
    /// The enclosing loop's scope: `$foreach` when the loop started, if
    /// that was a scope.
    pub parent: Value,
    /// What `$foreach` held when the loop started if it was not a scope,
    /// put back afterwards.
    pub replaced: Value,
    /// Where the `#foreach` directive is, for `$foreach.info`.
    pub line: u32,
    /// Its column.
    pub column: u32,
    /// Velocity's scope is also a map (`$foreach.put('k', v)`,
    /// `#set($foreach.k = v)`), one per loop; made on first use.
    pub storage: RefCell<Option<MapRef>>,
}

impl LoopState {
    /// `$foreach.info`: the directive this scope belongs to.
    pub fn info(&self) -> LoopInfo {
        let mut depth = 1u32;
        let mut parent = &self.parent;
        while let Value::Loop(p) = parent {
            depth = depth.saturating_add(1);
            parent = &p.parent;
        }
        LoopInfo {
            line: self.line,
            column: self.column,
            depth,
        }
    }

    /// `Scope.get(key)`: the scope's own entry, or else its parent's.
    pub fn get(&self, key: &Value) -> Value {
        let key = key.to_key();
        let mut scope = self;
        loop {
            if let Some(m) = &*scope.storage.borrow() {
                if let Some(v) = m.borrow().get(&key) {
                    return v.clone();
                }
            }
            match &scope.parent {
                Value::Loop(p) => scope = p,
                _ => return Value::Null,
            }
        }
    }

    /// The scope's map, made on first use.
    pub fn storage(&self) -> MapRef {
        self.storage
            .borrow_mut()
            .get_or_insert_with(|| Rc::new(MapCell::new(JMap::default())))
            .clone()
    }
}

/// A 128-bit integer kept at 8-byte alignment: an `i128` field would align
/// `Value` to 16 bytes and make it 32 bytes long instead of 24, and values
/// are moved at every step of a render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, packed(8))]
pub struct Wide(pub i128);

/// A template value.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// Java `null`, or an undefined reference.
    #[default]
    Null,
    /// `java.lang.Boolean`.
    Bool(bool),
    /// `java.lang.Integer`.
    Int(i32),
    /// `java.lang.Long`.
    Long(i64),
    /// `java.math.BigInteger` (held in 128 bits).
    BigInt(Wide),
    /// A `java.math.BigInteger` beyond 128 bits (every smaller one is a
    /// `BigInt`, so two BigIntegers are equal only in the same variant).
    Huge(Rc<num_bigint::BigInt>),
    /// `java.lang.Double`.
    Double(f64),
    /// `java.lang.Float` (only from `floatValue()`).
    Float(f32),
    /// `java.math.BigDecimal`.
    Decimal(Rc<Decimal>),
    /// `java.lang.String`.
    Str(Rc<str>),
    /// `java.lang.Character`: one UTF-16 unit (`charAt`, `toCharArray`).
    Char(u16),
    /// A list.
    List(ListRef, ListKind),
    /// A map.
    Map(MapRef),
    /// A `Map.Entry` from `entrySet()`.
    Entry(Rc<super::view::Entry>),
    /// A live `keySet()`, `values()`, `entrySet()` or `subList()`.
    View(Rc<super::view::View>),
    /// `$foreach`.
    Loop(Rc<LoopState>),
    /// `$foreach.info`.
    LoopInfo(LoopInfo),
    /// A `#define` block, rendered when referenced.
    Define(std::sync::Arc<Block>),
    /// `$input`.
    Input,
    /// `$util`.
    Util,
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        java_equals(self, other)
    }
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    /// A new ArrayList.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(ListCell::new(items)), ListKind::ArrayList)
    }

    /// A new LinkedHashMap.
    pub fn map(entries: JMap) -> Value {
        Value::Map(Rc::new(MapCell::new(entries)))
    }

    /// A copy that shares no mutable map or list with `self`.
    pub fn deep_clone(&self) -> Value {
        match self {
            Value::List(l, kind) => Value::List(
                Rc::new(ListCell::new(
                    l.borrow().iter().map(Value::deep_clone).collect(),
                )),
                *kind,
            ),
            Value::Map(m) => Value::Map(Rc::new(MapCell::new(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.deep_clone()))
                    .collect(),
            ))),
            other => other.clone(),
        }
    }

    /// Whether this is Java `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A Java integer type (Integer, Long, BigInteger) as i128.
    pub fn as_integer(&self) -> Option<i128> {
        match self {
            Value::Int(i) => Some(i128::from(*i)),
            Value::Long(l) => Some(i128::from(*l)),
            Value::BigInt(b) => Some(b.0),
            _ => None,
        }
    }

    /// Any Java integer type as a BigInteger (`MathUtils.toBigInteger`).
    pub fn as_big_integer(&self) -> Option<num_bigint::BigInt> {
        match self {
            Value::Huge(b) => Some((**b).clone()),
            v => v.as_integer().map(num_bigint::BigInt::from),
        }
    }

    /// Whether this is a `java.lang.Number`.
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Value::Int(_)
                | Value::Long(_)
                | Value::BigInt(_)
                | Value::Huge(_)
                | Value::Double(_)
                | Value::Float(_)
                | Value::Decimal(_)
        )
    }

    /// Velocity's truth test: only `null` and `false` are false.
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Null | Value::Bool(false))
    }

    /// The map key for this value.
    pub fn to_key(&self) -> Key {
        match self {
            Value::Str(s) => Key::Str(s.clone()),
            Value::Int(_) | Value::Long(_) | Value::BigInt(_) => {
                Key::Int(self.as_integer().unwrap_or(0))
            }
            Value::Bool(b) => Key::Bool(*b),
            Value::Null => Key::Null,
            other => Key::Other(Rc::from(other.to_java_string().unwrap_or_default())),
        }
    }

    /// Java's `toString()`; `None` where Java would give `null`.
    pub fn to_java_string(&self) -> Option<String> {
        let mut s = String::new();
        self.write_java(&mut s).then_some(s)
    }

    /// Append Java's `toString()`; false (nothing written) for `null` and
    /// for objects whose `toString` Velocity treats as null.
    pub fn write_java(&self, out: &mut String) -> bool {
        match self {
            Value::Null | Value::Input | Value::Util | Value::Define(_) => return false,
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            // itoa: integers print often, and `fmt` costs more than the digits.
            Value::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
            Value::Long(i) => out.push_str(itoa::Buffer::new().format(*i)),
            Value::BigInt(i) => out.push_str(itoa::Buffer::new().format(i.0)),
            Value::Huge(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Double(d) => write_java_double(*d, out),
            Value::Float(f) => super::java_double::write_float(*f, out),
            Value::Decimal(d) => out.push_str(&d.to_java_string()),
            Value::Str(s) => out.push_str(s),
            Value::Char(u) => out.push_str(&super::utf16::from_units(&[*u])),
            Value::List(items, ListKind::ArrayList) => {
                write_collection(&items.borrow(), Some(items), out)
            }
            Value::List(_, ListKind::JsonArray) => crate::apigw::json::write_json(self, out, true),
            Value::List(items, ListKind::JavaArray(t)) => {
                // Java prints an array's type and identity hash. The hash
                // differs on every JVM run; ours is a hash of the contents,
                // stable so that outputs can be compared.
                out.push_str(match t {
                    ArrayType::String => "[Ljava.lang.String;@",
                    ArrayType::Byte => "[B@",
                    ArrayType::Char => "[C@",
                    ArrayType::Object => "[Ljava.lang.Object;@",
                });
                let mut h = FxHasher::default();
                for v in items.borrow().iter() {
                    match v {
                        // Collections count by kind only: an array can hold
                        // itself (`#set($a[0] = $a)`), and Java's hash does
                        // not look inside anyway.
                        Value::List(..) | Value::Map(_) | Value::Entry(_) | Value::View(_) => {
                            h.write_u8(1)
                        }
                        v => {
                            if let Some(s) = v.to_java_string() {
                                s.hash(&mut h);
                            }
                        }
                    }
                }
                let _ = write!(out, "{:x}", (h.finish() as u32) | 0x1000_0000);
            }
            Value::Map(m) => write_map(
                m,
                |v| matches!(v, Value::Map(inner) if Rc::ptr_eq(inner, m)),
                out,
            ),
            Value::Entry(e) => {
                // An entry can hold itself (`#set($e.value = $e)`).
                let Some(_depth) = DepthGuard::enter() else {
                    out.push_str("...");
                    return true;
                };
                write_element(&e.key, out);
                out.push('=');
                write_element(&e.value(), out);
            }
            Value::View(v) => write_collection(&v.items(), None, out),
            Value::LoopInfo(info) => info.write(out),
            // ForeachScope is an AbstractMap over its storage.
            Value::Loop(l) => match &*l.storage.borrow() {
                Some(m) => write_map(
                    m,
                    |v| matches!(v, Value::Loop(inner) if Rc::ptr_eq(inner, l)),
                    out,
                ),
                None => out.push_str("{}"),
            },
        }
        true
    }
}

/// `AbstractMap.toString` of `m`'s entries: `{a=1, b=2}`, with `(this Map)`
/// for a value that `is_self` says is the map printed.
fn write_map(m: &MapRef, is_self: impl Fn(&Value) -> bool, out: &mut String) {
    let Some(_depth) = DepthGuard::enter() else {
        out.push_str("{...}");
        return;
    };
    out.push('{');
    for (i, (k, v)) in m.borrow().iter().enumerate() {
        if out.len() > OUTPUT_BUDGET {
            return;
        }
        if i > 0 {
            out.push_str(", ");
        }
        write_key(k, out);
        out.push('=');
        if is_self(v) {
            out.push_str("(this Map)");
        } else {
            write_element(v, out);
        }
    }
    out.push('}');
}

/// `AbstractCollection.toString`: `[a, b]`, with `(this Collection)` for
/// the list itself.
fn write_collection(items: &[Value], own: Option<&ListRef>, out: &mut String) {
    let Some(_depth) = DepthGuard::enter() else {
        out.push_str("[...]");
        return;
    };
    out.push('[');
    for (i, v) in items.iter().enumerate() {
        if out.len() > OUTPUT_BUDGET {
            // Shared sublists print exponentially; the caller reports the
            // overflow.
            return;
        }
        if i > 0 {
            out.push_str(", ");
        }
        match (v, own) {
            (Value::List(l, _), Some(own)) if Rc::ptr_eq(l, own) => {
                out.push_str("(this Collection)")
            }
            (v, _) => write_element(v, out),
        }
    }
    out.push(']');
}

fn write_element(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        other => {
            if !other.write_java(out) {
                out.push_str("null");
            }
        }
    }
}

/// Append a map key as Java prints it.
pub fn write_key(k: &Key, out: &mut String) {
    match k {
        Key::Str(s) | Key::Other(s) => out.push_str(s),
        Key::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Key::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Key::Null => out.push_str("null"),
    }
}

/// The value a key stands for.
pub fn key_value(k: &Key) -> Value {
    match k {
        Key::Str(s) | Key::Other(s) => Value::Str(s.clone()),
        Key::Int(i) => integer(*i),
        Key::Bool(b) => Value::Bool(*b),
        Key::Null => Value::Null,
    }
}

/// The smallest Java integer type holding `i` (Integer, Long, BigInteger).
pub fn integer(i: i128) -> Value {
    if let Ok(v) = i32::try_from(i) {
        Value::Int(v)
    } else if let Ok(v) = i64::try_from(i) {
        Value::Long(v)
    } else {
        Value::BigInt(Wide(i))
    }
}

/// The low 128 bits of a BigInteger's two's complement: what its
/// `intValue()`/`longValue()` truncate.
pub fn low_bits(b: &num_bigint::BigInt) -> i128 {
    use num_integer::Integer;
    let modulus = num_bigint::BigInt::from(1u8) << 128u32;
    let low = b.mod_floor(&modulus);
    u128::try_from(&low).map_or(0, |u| u as i128)
}

/// A BigInteger result: `BigInt` when it fits in 128 bits.
pub fn big_integer(b: num_bigint::BigInt) -> Value {
    match i128::try_from(&b) {
        Ok(i) => Value::BigInt(Wide(i)),
        Err(_) => Value::Huge(Rc::new(b)),
    }
}

/// `Object.equals` between two values of compatible classes.
pub fn java_equals(a: &Value, b: &Value) -> bool {
    match shallow_equals(a, b) {
        Some(eq) => eq,
        None => deep_equals(a, b),
    }
}

/// `equals` when it needs no look inside the values; `None` for two
/// collections whose elements decide.
fn shallow_equals(a: &Value, b: &Value) -> Option<bool> {
    Some(match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Long(x), Value::Long(y)) => x == y,
        (Value::BigInt(x), Value::BigInt(y)) => x.0 == y.0,
        (Value::Huge(x), Value::Huge(y)) => x == y,
        // Double.equals compares doubleToLongBits: NaN equals NaN, 0.0 is not -0.0.
        (Value::Double(x), Value::Double(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        // Float.equals compares floatToIntBits: NaN equals NaN, 0.0 is not -0.0.
        (Value::Float(x), Value::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Char(x), Value::Char(y)) => x == y,
        // BigDecimal.equals compares the scale too: 1.0 is not 1.00.
        (Value::Decimal(x), Value::Decimal(y)) => x == y,
        // The same collection, without looking inside (it may hold itself).
        (Value::List(x, _), Value::List(y, _)) if Rc::ptr_eq(x, y) => true,
        (Value::Map(x), Value::Map(y)) if Rc::ptr_eq(x, y) => true,
        (Value::Entry(x), Value::Entry(y)) if Rc::ptr_eq(x, y) => true,
        (Value::View(x), Value::View(y)) if Rc::ptr_eq(x, y) => true,
        // AbstractMap.equals starts with identity.
        (Value::Loop(x), Value::Loop(y)) if Rc::ptr_eq(x, y) => true,
        (Value::List(..), Value::List(..))
        | (Value::Map(_) | Value::Loop(_), Value::Map(_) | Value::Loop(_))
        | (Value::Entry(_), Value::Entry(_)) => return None,
        // Only list views (sub-lists) equal lists here; sets are the methods'.
        (Value::View(x), Value::View(y)) => {
            if x.is_list() && y.is_list() {
                return None;
            }
            false
        }
        (Value::View(v), Value::List(..)) | (Value::List(..), Value::View(v)) => {
            if v.is_list() {
                return None;
            }
            false
        }
        (Value::Input, Value::Input) | (Value::Util, Value::Util) => true,
        _ => false,
    })
}

/// The entries a map or a `$foreach` scope (Velocity's `AbstractMap`)
/// compares by (an empty map for any other value).
fn map_entries(v: &Value) -> MapRef {
    match v {
        Value::Loop(l) => l.storage(),
        Value::Map(m) => Rc::clone(m),
        _ => Rc::new(MapCell::new(JMap::default())),
    }
}

/// Two collections compared element by element in Java's order, through
/// a work list rather than recursion: templates nest lists thousands deep
/// and build cycles. Past `MAX_EQUALITY_DEPTH` levels, where Java's
/// `equals` overflows its stack, the overflow is noted for the interpreter.
fn deep_equals(a: &Value, b: &Value) -> bool {
    let mut work = vec![(a.clone(), b.clone(), 0u32)];
    let mut steps = 0u32;
    while let Some((x, y, depth)) = work.pop() {
        match shallow_equals(&x, &y) {
            Some(true) => continue,
            Some(false) => return false,
            None => {}
        }
        // Lists that share their sublists (`#set($l = [$l, $l])` in a loop)
        // take time exponential in their depth to compare; Java would run
        // until API Gateway's timeout.
        steps += 1;
        if depth >= MAX_EQUALITY_DEPTH || steps > MAX_EQUALITY_STEPS {
            note_too_deep();
            return false;
        }
        let pairs: Vec<(Value, Value)> = match (&x, &y) {
            (Value::List(x, _), Value::List(y, _)) => {
                let (x, y) = (x.borrow(), y.borrow());
                if x.len() != y.len() {
                    return false;
                }
                x.iter().cloned().zip(y.iter().cloned()).collect()
            }
            // `AbstractMap.equals`: each entry's value against the other
            // map's value for its key. A `$foreach` scope is such a map.
            (Value::Map(_) | Value::Loop(_), Value::Map(_) | Value::Loop(_)) => {
                let (x, y) = (map_entries(&x), map_entries(&y));
                let (x, y) = (x.borrow(), y.borrow());
                if x.len() != y.len() {
                    return false;
                }
                let mut pairs = Vec::with_capacity(x.len());
                for (k, v) in x.iter() {
                    match y.get(k) {
                        Some(w) => pairs.push((v.clone(), w.clone())),
                        None => return false,
                    }
                }
                pairs
            }
            (Value::Entry(x), Value::Entry(y)) => {
                vec![(x.key.clone(), y.key.clone()), (x.value(), y.value())]
            }
            (Value::View(x), Value::View(y)) => {
                let (x, y) = (x.items(), y.items());
                if x.len() != y.len() {
                    return false;
                }
                x.into_iter().zip(y).collect()
            }
            (Value::View(v), Value::List(l, _)) | (Value::List(l, _), Value::View(v)) => {
                let (x, y) = (v.items(), l.borrow());
                if x.len() != y.len() {
                    return false;
                }
                x.into_iter().zip(y.iter().cloned()).collect()
            }
            _ => return false,
        };
        // Reversed onto the stack, so that the first pair is compared first.
        work.extend(pairs.into_iter().rev().map(|(p, q)| (p, q, depth + 1)));
    }
    true
}

/// Java's `Double.toString`.
pub fn write_java_double(d: f64, out: &mut String) {
    super::java_double::write(d, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_compare_every_byte() {
        for n in 0..40 {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(same_short_text(&a, &a.clone()), "length {n}");
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 1;
                assert!(!same_short_text(&a, &b), "length {n}, byte {at}");
            }
            let longer = [a.as_slice(), b"x"].concat();
            assert!(!same_short_text(&a, &longer), "length {n} against longer");
        }
    }

    #[test]
    fn a_dropped_maps_buffers_come_back_empty() {
        while crate::spare::take(&SPARE_MAPS).is_some() {}
        let mut entries = map_with_capacity(4);
        for i in 0..4 {
            entries.insert(Key::Str(Rc::from(format!("k{i}"))), Value::Int(i));
        }
        let kept = Rc::new(Value::str("shared"));
        entries.insert(Key::Str(Rc::from("s")), (*kept).clone());
        drop(Value::map(entries));
        let reused = map_with_capacity(2);
        assert!(reused.is_empty());
        assert!(reused.capacity() >= 5, "the buffers were kept");
        // Its values were dropped, not kept alive on the shelf.
        assert!(matches!(&*kept, Value::Str(s) if Rc::strong_count(s) == 1));
        // A map holding collections is kept too, once they are dropped.
        let mut outer = map_with_capacity(3);
        outer.insert(Key::Str(Rc::from("list")), Value::list(vec![Value::Int(1)]));
        drop(Value::map(outer));
        assert!(map_with_capacity(1).capacity() >= 3);
        // A map too large to keep is freed.
        let big: JMap = (0..100)
            .map(|i| (Key::Str(Rc::from(format!("{i}"))), Value::Null))
            .collect();
        drop(Value::map(big));
        assert!(crate::spare::take(&SPARE_MAPS).is_none());
    }

    #[test]
    fn string_lookup_scans_small_maps_and_hashes_large_ones_alike() {
        for size in [1, 8, 9, 40] {
            let mut m = JMap::default();
            // A key that prints as "k0" but is no String never matches.
            m.insert(Key::Other(Rc::from("k0")), Value::Int(-1));
            for i in 1..size {
                m.insert(Key::Str(Rc::from(format!("k{i}"))), Value::Int(i));
            }
            assert!(get_str(&m, "k0").is_none(), "size {size}");
            assert!(get_str(&m, "missing").is_none(), "size {size}");
            for i in 1..size {
                let found = get_str(&m, &format!("k{i}"));
                assert!(
                    matches!(found, Some(Value::Int(v)) if *v == i),
                    "k{i} of {size}"
                );
            }
        }
    }

    fn d(x: f64) -> String {
        let mut s = String::new();
        write_java_double(x, &mut s);
        s
    }

    #[test]
    fn doubles_print_as_java() {
        assert_eq!(d(1.0), "1.0");
        assert_eq!(d(2.5), "2.5");
        assert_eq!(d(1e10), "1.0E10");
        assert_eq!(d(1.5e-5), "1.5E-5");
        assert_eq!(d(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(d(1234567.0), "1234567.0");
        assert_eq!(d(12345678.0), "1.2345678E7");
    }

    #[test]
    fn collections_print_as_java() {
        let l = Value::list(vec![Value::Int(1), Value::str("a"), Value::Null]);
        assert_eq!(l.to_java_string().unwrap(), "[1, a, null]");
        let mut m = JMap::default();
        m.insert(Key::Str("a".into()), Value::Int(1));
        m.insert(Key::Str("b".into()), l);
        assert_eq!(
            Value::map(m).to_java_string().unwrap(),
            "{a=1, b=[1, a, null]}"
        );
    }

    /// Lists nested `depth` deep.
    fn nested(depth: usize) -> Value {
        (0..depth).fold(Value::list(Vec::new()), |inner, _| Value::list(vec![inner]))
    }

    #[test]
    fn comparing_too_deep_or_in_a_cycle_is_noted_not_overflowed() {
        take_equality_overflow();
        // Java answers 2,000 levels deep.
        assert!(java_equals(&nested(2_000), &nested(2_000)));
        assert!(!take_equality_overflow());
        assert!(!java_equals(&nested(2_000), &nested(1_999)));
        assert!(!take_equality_overflow(), "a plain difference");
        // Deeper than any thread's stack would allow to recurse.
        assert!(!java_equals(&nested(100_000), &nested(100_000)));
        assert!(take_equality_overflow(), "noted");
        assert!(!take_equality_overflow(), "and forgotten once taken");
        let cycle = || {
            let l = Value::list(Vec::new());
            if let Value::List(items, _) = &l {
                items.borrow_mut().push(l.clone());
            }
            l
        };
        let (a, b) = (cycle(), cycle());
        assert!(java_equals(&a, &a), "the same list, without recursing");
        assert!(!java_equals(&a, &b));
        assert!(take_equality_overflow());
        // The cycles are freed by hand: they hold themselves.
        for l in [a, b] {
            if let Value::List(items, _) = l {
                items.borrow_mut().clear();
            }
        }
    }
}
