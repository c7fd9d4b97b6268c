using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The columns a forecaster reads, found and checked in a schema: the value (<see cref="float"/> or
/// <see cref="double"/>), the optional series id (text or a key) and the covariates (<see cref="float"/> or
/// <see cref="double"/>), with a reader of one row's values. Every refusal names the column and what it must hold.
/// </summary>
internal sealed class ForecastColumns
{
    private ForecastColumns(DataViewSchema.Column value, DataViewSchema.Column? series, DataViewSchema.Column[] covariates)
    {
        Value = value;
        Series = series;
        Covariates = covariates;
    }

    public DataViewSchema.Column Value { get; }
    public DataViewSchema.Column? Series { get; }
    public DataViewSchema.Column[] Covariates { get; }

    /// <summary>The columns the reader needs from a cursor.</summary>
    public IEnumerable<DataViewSchema.Column> All => Series is { } series ? [Value, series, .. Covariates] : [Value, .. Covariates];

    /// <summary>Finds and checks the columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or holds the wrong type; the message names it.</exception>
    public static ForecastColumns Find(DataViewSchema schema, string valueColumn, string? seriesColumn, IReadOnlyList<string> covariateColumns)
    {
        DataViewSchema.Column value = Number(schema, valueColumn, "value");
        DataViewSchema.Column? series = null;
        if (seriesColumn is not null)
        {
            series = Named(schema, seriesColumn, "series");
            DataViewType type = series.Value.Type;
            if (!(type is TextDataViewType || (type is KeyDataViewType key && key.RawType == typeof(uint))))
                throw new ArgumentOutOfRangeException(nameof(schema), $"The series column '{seriesColumn}' holds {type}; expected String (a series name) or Key<UInt32>.");
        }
        var covariates = new DataViewSchema.Column[covariateColumns.Count];
        for (int i = 0; i < covariates.Length; i++)
            covariates[i] = Number(schema, covariateColumns[i], "covariate");
        return new ForecastColumns(value, series, covariates);
    }

    private static DataViewSchema.Column Named(DataViewSchema schema, string name, string role) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(schema), $"The {role} column '{name}' is not in the data.");

    private static DataViewSchema.Column Number(DataViewSchema schema, string name, string role)
    {
        DataViewSchema.Column column = Named(schema, name, role);
        if (column.Type != NumberDataViewType.Single && column.Type != NumberDataViewType.Double)
            throw new ArgumentOutOfRangeException(nameof(schema), $"The {role} column '{name}' holds {column.Type}; expected Single or Double, one value per row.");
        return column;
    }

    /// <summary>Reads one row's value, series and covariates from <paramref name="row"/> (a cursor with the columns active).</summary>
    public RowReader CreateReader(DataViewRow row) => new(this, row);

    /// <summary>The values of the row a cursor is on.</summary>
    internal sealed class RowReader
    {
        private readonly Func<float> value;
        private readonly Func<string>? series;
        private readonly Func<float>[] covariates;

        public RowReader(ForecastColumns columns, DataViewRow row)
        {
            value = NumberGetter(row, columns.Value);
            series = columns.Series is { } column ? SeriesGetter(row, column) : null;
            covariates = Array.ConvertAll(columns.Covariates, c => NumberGetter(row, c));
        }

        public float Value() => value();

        /// <summary>The series' name; "" for data with no series column.</summary>
        public string Series() => series?.Invoke() ?? "";

        public void Covariates(Span<float> destination)
        {
            for (int i = 0; i < covariates.Length; i++)
                destination[i] = covariates[i]();
        }

        private static Func<float> NumberGetter(DataViewRow row, DataViewSchema.Column column)
        {
            if (column.Type == NumberDataViewType.Single)
            {
                ValueGetter<float> getter = row.GetGetter<float>(column);
                return () =>
                {
                    float v = 0;
                    getter(ref v);
                    return v;
                };
            }
            ValueGetter<double> wide = row.GetGetter<double>(column);
            return () =>
            {
                double v = 0;
                wide(ref v);
                return (float)v;
            };
        }

        private static Func<string> SeriesGetter(DataViewRow row, DataViewSchema.Column column)
        {
            if (column.Type is TextDataViewType)
            {
                ValueGetter<ReadOnlyMemory<char>> text = row.GetGetter<ReadOnlyMemory<char>>(column);
                return () =>
                {
                    ReadOnlyMemory<char> v = default;
                    text(ref v);
                    return v.ToString();
                };
            }
            string[]? names = KeyNames(column);
            ValueGetter<uint> key = row.GetGetter<uint>(column);
            return () =>
            {
                uint v = 0;
                key(ref v);
                if (v == 0)
                    throw new InvalidOperationException($"The series column '{column.Name}' holds a missing key at row {row.Position}; every row needs its series.");
                return names is not null && v <= names.Length ? names[v - 1] : v.ToString(System.Globalization.CultureInfo.InvariantCulture);
            };
        }

        private static string[]? KeyNames(DataViewSchema.Column column)
        {
            if (column.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues) is not { } annotation || annotation.Type is not VectorDataViewType { ItemType: TextDataViewType })
                return null;
            VBuffer<ReadOnlyMemory<char>> values = default;
            column.Annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref values);
            return values.DenseValues().Select(v => v.ToString()).ToArray();
        }
    }
}
