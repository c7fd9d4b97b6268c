using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// A column of tag sequences, one sequence per row: a vector of keys whose text key values are the tags (a label
/// mapped by <c>MapValueToKey</c>, or a tagger's <c>PredictedLabel</c>, which keeps the label's key values),
/// or a vector of text. Reads each row's tags as numbers of a <see cref="TagTable"/>.
/// </summary>
internal sealed class TagSequenceColumn
{
    private const string Expected =
        "a vector of keys with text key values (tags mapped by MapValueToKey, or a tagger's PredictedLabel) or a vector of text, one tag per token";

    /// <summary>The annotation holding a key column's values (ML.NET's <c>AnnotationUtils.Kinds.KeyValues</c>).</summary>
    private const string KeyValuesAnnotation = "KeyValues";

    private readonly string[]? keyValues;

    private TagSequenceColumn(DataViewSchema.Column column, string[]? keyValues)
    {
        Column = column;
        this.keyValues = keyValues;
    }

    /// <summary>The column in the data set.</summary>
    public DataViewSchema.Column Column { get; }

    /// <summary>
    /// Finds and checks column <paramref name="name"/>; <paramref name="role"/> ("label", "predicted label")
    /// and <paramref name="parameterName"/> name it in errors.
    /// </summary>
    public static TagSequenceColumn From(DataViewSchema schema, string name, string role, string parameterName)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(parameterName, $"The data has no {role} column '{name}'; expected {Expected}.");
        if (column.Type is not VectorDataViewType vector)
            throw WrongType(column, role, parameterName, $"is {column.Type}");
        if (vector.ItemType is TextDataViewType)
            return new TagSequenceColumn(column, keyValues: null);
        if (vector.ItemType is not KeyDataViewType key || key.RawType != typeof(uint))
            throw WrongType(column, role, parameterName, $"is a vector of {vector.ItemType}");
        if (key.Count == 0 || key.Count > int.MaxValue
            || column.Annotations.Schema.GetColumnOrNull(KeyValuesAnnotation)?.Type is not VectorDataViewType { ItemType: TextDataViewType } valuesType
            || valuesType.Size != (int)key.Count)
        {
            throw WrongType(column, role, parameterName, "is a vector of keys without text key values to read the tags from");
        }
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.GetKeyValues(ref values);
        return new TagSequenceColumn(column, [.. values.DenseValues().Select(value => value.ToString())]);
    }

    /// <summary>
    /// A function that reads the tags of the row <paramref name="row"/> is on as numbers of <paramref name="tags"/>,
    /// or throws naming the column and the row when a key is missing or out of range, or a tag is empty.
    /// </summary>
    public Func<int[]> CreateGetter(DataViewRow row, TagTable tags)
    {
        if (keyValues is not null)
        {
            ValueGetter<VBuffer<uint>> getKeys = row.GetGetter<VBuffer<uint>>(Column);
            VBuffer<uint> keys = default;
            // Key k's number in the table, found when the key is first met; −1 until then.
            var idOfKey = new int[keyValues.Length + 1];
            Array.Fill(idOfKey, -1);
            return () =>
            {
                getKeys(ref keys);
                var ids = new int[keys.Length];
                int position = 0;
                foreach (uint key in keys.DenseValues())
                {
                    if (key == 0)
                        throw BadTag(row.Position, $"key 0 (missing: a tag MapValueToKey did not know) at position {position}", $"keys from 1 to {keyValues.Length}");
                    if (key > keyValues.Length)
                        throw BadTag(row.Position, $"key {key} at position {position} is out of range", $"keys from 1 to {keyValues.Length}");
                    if (idOfKey[key] < 0)
                    {
                        if (string.IsNullOrWhiteSpace(keyValues[key - 1]))
                            throw BadTag(row.Position, $"key {key} at position {position} has an empty tag as its key value", "a tag such as O or B-person");
                        idOfKey[key] = tags.IdOf(keyValues[key - 1]);
                    }
                    ids[position++] = idOfKey[key];
                }
                return ids;
            };
        }

        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getTexts = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(Column);
        VBuffer<ReadOnlyMemory<char>> texts = default;
        return () =>
        {
            getTexts(ref texts);
            var ids = new int[texts.Length];
            int position = 0;
            foreach (ReadOnlyMemory<char> text in texts.DenseValues())
            {
                if (text.Span.IsWhiteSpace())
                    throw BadTag(row.Position, $"the tag at position {position} is empty", "a tag such as O or B-person");
                ids[position++] = tags.IdOf(text.Span);
            }
            return ids;
        };
    }

    private InvalidOperationException BadTag(long row, string problem, string expected) =>
        new($"Column '{Column.Name}', row {row}: {problem}; expected {expected}.");

    private static ArgumentOutOfRangeException WrongType(DataViewSchema.Column column, string role, string parameterName, string found) =>
        new(parameterName, $"The {role} column '{column.Name}' {found}; expected {Expected}.");
}
