//! One SQL name, two functions: where Trino and DataFusion give a name different
//! meanings (`contains` on arrays and on strings, `regexp_replace` replacing every
//! match or the first), or where Athena applies a map function to what trawl keeps
//! as JSON text (`map_keys(requestparameters)`), the call goes to trawl's function
//! for that form and to DataFusion's otherwise, so both spellings keep working.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::type_coercion::functions::fields_with_udf;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

/// Which calls are trawl's.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) enum When {
    /// The first argument is an array (`contains(array, x)`).
    FirstArgIsList,
    /// The first argument is text (`map_keys(requestparameters)`).
    FirstArgIsText,
    /// At most this many arguments (`regexp_replace(s, p, r)` without flags).
    ArgsAtMost(usize),
}

impl When {
    fn matches(&self, types: &[DataType]) -> bool {
        match self {
            When::FirstArgIsText => matches!(
                types.first(),
                Some(DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8)
            ),
            When::FirstArgIsList => matches!(
                types.first(),
                Some(
                    DataType::List(_)
                        | DataType::LargeList(_)
                        | DataType::FixedSizeList(..)
                        | DataType::ListView(_)
                )
            ),
            When::ArgsAtMost(n) => types.len() <= *n,
        }
    }
}

/// `ours` for the calls `when` describes, `builtin` (the function the session had
/// under this name) for the rest.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Overload {
    name: String,
    signature: Signature,
    when: When,
    ours: Arc<ScalarUDF>,
    builtin: Option<Arc<ScalarUDF>>,
}

impl Overload {
    pub(super) fn udf(
        name: &str,
        when: When,
        ours: Arc<ScalarUDF>,
        builtin: Option<Arc<ScalarUDF>>,
    ) -> ScalarUDF {
        ScalarUDF::new_from_impl(Self {
            name: name.to_string(),
            signature: Signature::user_defined(Volatility::Immutable),
            when,
            ours,
            builtin,
        })
    }

    fn pick(&self, types: &[DataType]) -> Result<&ScalarUDF> {
        if self.when.matches(types) {
            return Ok(&self.ours);
        }
        match &self.builtin {
            Some(b) => Ok(b),
            None => plan_err!("{}: unsupported arguments {types:?}", self.name),
        }
    }

    fn pick_fields(&self, fields: &[FieldRef]) -> Result<&ScalarUDF> {
        let types: Vec<DataType> = fields.iter().map(|f| f.data_type().clone()).collect();
        self.pick(&types)
    }
}

impl ScalarUDFImpl for Overload {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let chosen = self.pick(arg_types)?;
        let fields: Vec<FieldRef> = arg_types
            .iter()
            .map(|t| Arc::new(Field::new("arg", t.clone(), true)))
            .collect();
        Ok(fields_with_udf(&fields, chosen)?
            .iter()
            .map(|f| f.data_type().clone())
            .collect())
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.pick(arg_types)?.return_type(arg_types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        self.pick_fields(args.arg_fields)?
            .return_field_from_args(args)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.pick_fields(&args.arg_fields)?.invoke_with_args(args)
    }
}
