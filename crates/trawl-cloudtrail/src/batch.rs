//! Parsed records to an Arrow [`RecordBatch`] in the [`schema`](crate::schema()).

use std::borrow::Cow;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, ListArray, RecordBatch, StringBuilder, StringViewBuilder, StructArray,
    TimestampMillisecondArray, UInt32Array,
};
use arrow::buffer::{Buffer, NullBuffer, OffsetBuffer};
use arrow::datatypes::Fields;

use crate::record::{Bool, Raw, Record, Str};
use crate::scan::compact;
use crate::schema::{self, UTC};

/// A record that passed validation, ready to become a row.
#[derive(Debug)]
pub struct Parsed<'t> {
    pub rec: Record<'t>,
    /// `eventTime` (or the fallback) in milliseconds since the epoch, UTC.
    pub time_ms: i64,
    /// The original record as compact JSON text.
    pub json: Cow<'t, str>,
    /// Position of the record within its source object (0-based).
    pub index: u32,
    /// The source object: a path or an `s3://` URL.
    pub source: &'t str,
}

/// An object's inflated text, also as an Arrow buffer over the same memory:
/// `eventjson` values point into it instead of copying each record, and the writer's
/// sort moves the views, not the text (12% less peak memory converting).
#[derive(Debug)]
pub struct SharedText {
    text: Arc<String>,
    buffer: Buffer,
}

/// The owner `bytes` keeps alive behind the buffer.
struct Owner(Arc<String>);

impl AsRef<[u8]> for Owner {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl SharedText {
    pub fn new(text: String) -> Self {
        let text = Arc::new(text);
        let buffer = Buffer::from(bytes::Bytes::from_owner(Owner(text.clone())));
        Self { text, buffer }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Where `part`, a slice of this text, starts in it.
    fn offset_of(&self, part: &str) -> Option<usize> {
        let start = self.text.as_ptr() as usize;
        let at = (part.as_ptr() as usize).checked_sub(start)?;
        (at + part.len() <= self.text.len()).then_some(at)
    }
}

/// Texts larger than this are copied from, not pointed into: a batch's memory is
/// counted with the whole of every text it points into, and one huge object spread
/// over many batches would be counted once per batch.
const MAX_SHARED_TEXT: usize = 64 << 20;

/// `eventjson`: views into the texts the records were read from where they are
/// there as written (`texts`), copies otherwise (a record compacted or unescaped).
fn event_json(recs: &[&Parsed<'_>], texts: &[&SharedText]) -> ArrayRef {
    let mut builder = StringViewBuilder::with_capacity(recs.len());
    let mut blocks: Vec<Option<u32>> = vec![None; texts.len()];
    let mut last = 0;
    for p in recs {
        let json = p.json.as_ref();
        let found = match &p.json {
            Cow::Borrowed(_) if json.len() > 12 => std::iter::once(last)
                .chain(0..texts.len())
                .filter(|&k| k < texts.len() && texts[k].text.len() <= MAX_SHARED_TEXT)
                .find_map(|k| Some((k, texts[k].offset_of(json)?))),
            _ => None,
        };
        let viewed = found.is_some_and(|(k, at)| {
            last = k;
            let block =
                *blocks[k].get_or_insert_with(|| builder.append_block(texts[k].buffer.clone()));
            // Checks the range is in the block and is UTF-8 (it is: a `&str`).
            builder
                .try_append_view(block, at as u32, json.len() as u32)
                .is_ok()
        });
        if !viewed {
            builder.append_value(json);
        }
    }
    Arc::new(builder.finish())
}

fn s<'a>(v: &'a Option<Str<'_>>) -> Option<&'a str> {
    v.as_ref().map(Str::as_str)
}

fn b(v: &Option<Bool>) -> Option<bool> {
    v.map(|b| b.0)
}

fn raw_text<'a>(v: &Option<Raw<'a>>) -> Option<Cow<'a, str>> {
    v.map(|r| compact(r.get()))
}

/// A string column sized up front: counting the bytes first costs a pass over
/// pointers, growing the value buffer by doubling cost a copy of every byte (6% of a
/// conversion's CPU went to `realloc` here).
fn text_array<'a, I>(values: I) -> ArrayRef
where
    I: Iterator<Item = Option<&'a str>> + Clone,
{
    let (rows, bytes) = values
        .clone()
        .fold((0, 0), |(n, b), v| (n + 1, b + v.map_or(0, str::len)));
    let mut builder = StringBuilder::with_capacity(rows, bytes);
    for v in values {
        builder.append_option(v);
    }
    Arc::new(builder.finish())
}

fn strings<'a, T: 'a>(items: &[Option<&'a T>], f: impl Fn(&'a T) -> Option<&'a str>) -> ArrayRef {
    text_array(items.iter().map(|o| o.and_then(&f)))
}

fn bools<'a, T: 'a>(items: &[Option<&'a T>], f: impl Fn(&'a T) -> Option<bool>) -> ArrayRef {
    Arc::new(BooleanArray::from_iter(
        items.iter().map(|o| o.and_then(&f)),
    ))
}

fn nulls<T>(items: &[Option<T>]) -> Option<NullBuffer> {
    let buf = NullBuffer::from_iter(items.iter().map(Option::is_some));
    (buf.null_count() > 0).then_some(buf)
}

fn structure<T>(fields: Fields, items: &[Option<T>], arrays: Vec<ArrayRef>) -> ArrayRef {
    Arc::new(StructArray::new(fields, arrays, nulls(items)))
}

fn user_identity(recs: &[&Parsed<'_>]) -> ArrayRef {
    let ui: Vec<_> = recs.iter().map(|p| p.rec.user_identity.as_ref()).collect();
    let sc: Vec<_> = ui
        .iter()
        .map(|u| u.and_then(|u| u.session_context.as_ref()))
        .collect();
    let attrs: Vec<_> = sc
        .iter()
        .map(|c| c.and_then(|c| c.attributes.as_ref()))
        .collect();
    let issuer: Vec<_> = sc
        .iter()
        .map(|c| c.and_then(|c| c.session_issuer.as_ref()))
        .collect();
    let webid: Vec<_> = sc
        .iter()
        .map(|c| c.and_then(|c| c.web_id_federation_data.as_ref()))
        .collect();
    let obo: Vec<_> = ui
        .iter()
        .map(|u| u.and_then(|u| u.on_behalf_of.as_ref()))
        .collect();
    let iso: Vec<_> = ui
        .iter()
        .map(|u| u.and_then(|u| u.in_scope_of.as_ref()))
        .collect();

    let attributes = structure(
        schema::session_attributes_fields(),
        &attrs,
        vec![
            strings(&attrs, |a| s(&a.creation_date)),
            bools(&attrs, |a| b(&a.mfa_authenticated)),
        ],
    );
    let session_issuer = structure(
        schema::session_issuer_fields(),
        &issuer,
        vec![
            strings(&issuer, |i| s(&i.kind)),
            strings(&issuer, |i| s(&i.principal_id)),
            strings(&issuer, |i| s(&i.arn)),
            strings(&issuer, |i| s(&i.account_id)),
            strings(&issuer, |i| s(&i.user_name)),
        ],
    );
    let webid_attrs: Vec<Option<Cow<'_, str>>> = webid
        .iter()
        .map(|w| w.and_then(|w| raw_text(&w.attributes)))
        .collect();
    let web_id = structure(
        schema::web_id_federation_fields(),
        &webid,
        vec![
            strings(&webid, |w| s(&w.federated_provider)),
            text_array(webid_attrs.iter().map(|a| a.as_deref())),
        ],
    );
    let session_context = structure(
        schema::session_context_fields(),
        &sc,
        vec![
            attributes,
            session_issuer,
            web_id,
            strings(&sc, |c| s(&c.source_identity)),
            strings(&sc, |c| s(&c.ec2_role_delivery)),
            strings(&sc, |c| s(&c.assumed_root)),
            strings(&sc, |c| s(&c.sign_in_session_arn)),
        ],
    );
    let on_behalf_of = structure(
        schema::on_behalf_of_fields(),
        &obo,
        vec![
            strings(&obo, |o| s(&o.user_id)),
            strings(&obo, |o| s(&o.identity_store_arn)),
        ],
    );
    let in_scope_of = structure(
        schema::in_scope_of_fields(),
        &iso,
        vec![
            strings(&iso, |o| s(&o.source_arn)),
            strings(&iso, |o| s(&o.source_account)),
            strings(&iso, |o| s(&o.issuer_type)),
            strings(&iso, |o| s(&o.credentials_issued_to)),
        ],
    );
    structure(
        schema::user_identity_fields(),
        &ui,
        vec![
            strings(&ui, |u| s(&u.kind)),
            strings(&ui, |u| s(&u.principal_id)),
            strings(&ui, |u| s(&u.arn)),
            strings(&ui, |u| s(&u.account_id)),
            strings(&ui, |u| s(&u.access_key_id)),
            strings(&ui, |u| s(&u.user_name)),
            strings(&ui, |u| s(&u.invoked_by)),
            strings(&ui, |u| s(&u.identity_provider)),
            strings(&ui, |u| s(&u.credential_id)),
            session_context,
            on_behalf_of,
            in_scope_of,
            strings(&ui, |u| {
                u.invoked_by_delegate
                    .as_ref()
                    .and_then(|d| s(&d.account_id))
            }),
        ],
    )
}

fn resources(recs: &[&Parsed<'_>]) -> ArrayRef {
    let lists: Vec<_> = recs.iter().map(|p| p.rec.resources.as_ref()).collect();
    let items: Vec<_> = lists
        .iter()
        .flat_map(|l| l.iter().flat_map(|v| v.iter()))
        .map(Some)
        .collect();
    let values = StructArray::new(
        schema::resource_fields(),
        vec![
            strings(&items, |r| s(&r.arn)),
            strings(&items, |r| s(&r.arn_prefix)),
            strings(&items, |r| s(&r.account_id)),
            strings(&items, |r| s(&r.kind)),
        ],
        None,
    );
    let offsets = OffsetBuffer::from_lengths(lists.iter().map(|l| l.map_or(0, Vec::len)));
    Arc::new(ListArray::new(
        schema::resources_item(),
        offsets,
        Arc::new(values),
        nulls(&lists),
    ))
}

fn top_strings<'a>(
    recs: &'a [&'a Parsed<'a>],
    f: impl Fn(&'a Record<'_>) -> Option<&'a str>,
) -> ArrayRef {
    text_array(recs.iter().map(|p| f(&p.rec)))
}

fn top_raw<'a>(
    recs: &'a [&'a Parsed<'a>],
    f: impl Fn(&'a Record<'_>) -> &'a Option<Raw<'a>>,
) -> ArrayRef {
    let texts: Vec<Option<Cow<'_, str>>> = recs.iter().map(|p| raw_text(f(&p.rec))).collect();
    text_array(texts.iter().map(|t| t.as_deref()))
}

fn top_bools(recs: &[&Parsed<'_>], f: impl Fn(&Record<'_>) -> Option<bool>) -> ArrayRef {
    Arc::new(BooleanArray::from_iter(recs.iter().map(|p| f(&p.rec))))
}

/// Builds one batch from validated records (of one or several source objects).
pub fn build_batch(recs: &[Parsed<'_>]) -> RecordBatch {
    build_batch_in(&recs.iter().collect::<Vec<_>>(), &[])
}

/// [`build_batch`] from records wherever they are (gathering a group's records into
/// one vector by value moved about 2 KB per record), their `eventjson` pointing into
/// `texts` where they were read from one of them.
pub fn build_batch_in(recs: &[&Parsed<'_>], texts: &[&SharedText]) -> RecordBatch {
    let tls: Vec<_> = recs.iter().map(|p| p.rec.tls_details.as_ref()).collect();
    let addendum: Vec<_> = recs.iter().map(|p| p.rec.addendum.as_ref()).collect();
    let columns: Vec<ArrayRef> = vec![
        top_strings(recs, |r| s(&r.event_version)),
        Arc::new(
            TimestampMillisecondArray::from_iter_values(recs.iter().map(|p| p.time_ms))
                .with_timezone(UTC),
        ),
        top_strings(recs, |r| s(&r.event_source)),
        top_strings(recs, |r| s(&r.event_name)),
        top_strings(recs, |r| s(&r.aws_region)),
        top_strings(recs, |r| {
            s(&r.source_ip_address)
                .or_else(|| r.network.as_ref()?.client.as_ref().and_then(|c| s(&c.ip)))
        }),
        top_strings(recs, |r| {
            s(&r.user_agent).or_else(|| r.http.as_ref().and_then(|h| s(&h.useragent)))
        }),
        user_identity(recs),
        top_strings(recs, |r| s(&r.error_code)),
        top_strings(recs, |r| s(&r.error_message)),
        top_raw(recs, |r| &r.request_parameters),
        top_raw(recs, |r| &r.response_elements),
        top_raw(recs, |r| &r.additional_event_data),
        top_strings(recs, |r| s(&r.request_id)),
        top_strings(recs, |r| s(&r.event_id)),
        top_strings(recs, |r| s(&r.event_type)),
        top_strings(recs, |r| s(&r.api_version)),
        top_bools(recs, |r| b(&r.read_only)),
        top_bools(recs, |r| b(&r.management_event)),
        resources(recs),
        top_strings(recs, |r| s(&r.recipient_account_id)),
        top_raw(recs, |r| &r.service_event_details),
        top_strings(recs, |r| s(&r.shared_event_id)),
        top_strings(recs, |r| s(&r.vpc_endpoint_id)),
        top_strings(recs, |r| s(&r.vpc_endpoint_account_id)),
        top_strings(recs, |r| s(&r.event_category)),
        structure(
            schema::addendum_fields(),
            &addendum,
            vec![
                strings(&addendum, |a| s(&a.reason)),
                strings(&addendum, |a| s(&a.updated_fields)),
                strings(&addendum, |a| s(&a.original_request_id)),
                strings(&addendum, |a| s(&a.original_event_id)),
            ],
        ),
        top_bools(recs, |r| b(&r.session_credential_from_console)),
        top_raw(recs, |r| &r.edge_device_details),
        structure(
            schema::tls_details_fields(),
            &tls,
            vec![
                strings(&tls, |t| s(&t.tls_version)),
                strings(&tls, |t| s(&t.cipher_suite)),
                strings(&tls, |t| s(&t.client_provided_host_header)),
                strings(&tls, |t| s(&t.key_exchange)),
            ],
        ),
        top_raw(recs, |r| &r.insight_details),
        top_raw(recs, |r| &r.event_context),
        event_json(recs, texts),
        text_array(recs.iter().map(|p| Some(p.source))),
        Arc::new(UInt32Array::from_iter_values(recs.iter().map(|p| p.index))),
    ];
    RecordBatch::try_new(schema::schema(), columns)
        .expect("columns are built in schema order with schema types")
}
