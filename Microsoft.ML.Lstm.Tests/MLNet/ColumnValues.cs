using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>Reads any prediction column as text that compares exactly: floats by their bits, keys and flags as numbers.</summary>
internal static class ColumnValues
{
    /// <summary>Each row's value of <paramref name="name"/>, one string per row.</summary>
    public static List<string> Read(IDataView data, string name)
    {
        DataViewSchema.Column column = data.Schema[name];
        DataViewType type = column.Type;
        return type switch
        {
            NumberDataViewType when type.RawType == typeof(float) => ReadAll<float>(data, column, value => Bits(value)),
            BooleanDataViewType => ReadAll<bool>(data, column, value => value ? "1" : "0"),
            KeyDataViewType when type.RawType == typeof(uint) => ReadAll<uint>(data, column, value => value.ToString()),
            VectorDataViewType { ItemType: NumberDataViewType } vector when vector.ItemType.RawType == typeof(float) =>
                ReadAll<VBuffer<float>>(data, column, value => string.Join(',', value.DenseValues().Select(Bits))),
            VectorDataViewType { ItemType: KeyDataViewType } vector when vector.ItemType.RawType == typeof(uint) =>
                ReadAll<VBuffer<uint>>(data, column, value => string.Join(',', value.DenseValues())),
            _ => throw new NotSupportedException($"Column '{name}' is {type}; add its type to ColumnValues."),
        };
    }

    private static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString("x8");

    private static List<string> ReadAll<T>(IDataView data, DataViewSchema.Column column, Func<T, string> format)
    {
        var values = new List<string>();
        using DataViewRowCursor cursor = data.GetRowCursor([column]);
        ValueGetter<T> getter = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.Add(format(value));
        }
        return values;
    }
}
