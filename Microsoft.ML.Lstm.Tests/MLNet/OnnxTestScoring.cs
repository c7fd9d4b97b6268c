using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// Exports models with ML.NET's converter and scores the exported graph with ONNX Runtime, both through ML.NET's
/// <c>ApplyOnnxModel</c> (one row at a time) and through a raw <see cref="InferenceSession"/> (a padded batch);
/// every column comes back as one float[] per row, so the tests compare them with the package's own output.
/// </summary>
internal static class OnnxTestScoring
{
    /// <summary>The largest difference allowed between the package's and ONNX Runtime's values, relative above 1.</summary>
    public const float Tolerance = 1e-5f;

    /// <summary><c>mlContext.Model.ConvertToOnnx</c> into bytes.</summary>
    public static byte[] Export(MLContext mlContext, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        mlContext.Model.ConvertToOnnx(model, data, stream);
        return stream.ToArray();
    }

    /// <summary>
    /// Scores <paramref name="data"/> with the exported model through <c>ApplyOnnxModel</c>; returns each of
    /// <paramref name="columns"/> per row (the graph outputs are named "{column}.output" by the converter, and
    /// <c>ApplyOnnxModel</c> names its columns without the suffix).
    /// </summary>
    public static Dictionary<string, List<float[]>> ApplyOnnxModel(MLContext mlContext, byte[] onnx, IDataView data, params string[] columns)
    {
        using var stream = new MemoryStream(onnx);
        IDataView scored = mlContext.Transforms.ApplyOnnxModel(stream).Fit(data).Transform(data);
        return columns.ToDictionary(column => column, column => Column(scored, column));
    }

    /// <summary>Every row of column <paramref name="name"/> as floats: a scalar as one value, a vector as its values; bools as 0/1, keys as their numbers.</summary>
    public static List<float[]> Column(IDataView data, string name)
    {
        DataViewSchema.Column column = data.Schema.GetColumnOrNull(name)
            ?? throw new InvalidOperationException($"No column '{name}' among {string.Join(", ", data.Schema.Select(c => $"{c.Name}: {c.Type}"))}.");
        DataViewType item = column.Type is VectorDataViewType vector ? vector.ItemType : column.Type;
        var rows = new List<float[]>();
        using DataViewRowCursor cursor = data.GetRowCursor([column]);
        Func<float[]> read = (column.Type is VectorDataViewType, item.RawType) switch
        {
            (true, Type t) when t == typeof(float) => VectorReader<float>(cursor, column, v => v),
            (true, Type t) when t == typeof(bool) => VectorReader<bool>(cursor, column, v => v ? 1f : 0f),
            (true, Type t) when t == typeof(uint) => VectorReader<uint>(cursor, column, v => v),
            (false, Type t) when t == typeof(float) => ScalarReader<float>(cursor, column, v => v),
            (false, Type t) when t == typeof(bool) => ScalarReader<bool>(cursor, column, v => v ? 1f : 0f),
            (false, Type t) when t == typeof(uint) => ScalarReader<uint>(cursor, column, v => v),
            _ => throw new NotSupportedException($"Column '{name}' of type {column.Type}."),
        };
        while (cursor.MoveNext())
            rows.Add(read());
        return rows;
    }

    /// <summary>
    /// Runs the exported model once on a batch: <paramref name="rows"/> padded at their ends with <paramref name="pad"/> into
    /// one tensor [N, L] fed as graph input <paramref name="input"/>; returns each output column's rows (row i of an [N, ·] output).
    /// </summary>
    public static Dictionary<string, float[][]> RunBatch<T>(byte[] onnx, string input, IReadOnlyList<T[]> rows, T pad, params string[] columns)
    {
        int width = rows.Max(row => row.Length);
        var values = new T[rows.Count * width];
        for (int i = 0; i < rows.Count; i++)
        {
            Array.Fill(values, pad, i * width, width);
            rows[i].CopyTo(values, i * width);
        }
        using var session = new InferenceSession(onnx);
        Assert.Equal([input], session.InputMetadata.Keys);
        var tensor = new DenseTensor<T>(values, [rows.Count, width]);
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results =
            session.Run([NamedOnnxValue.CreateFromTensor(input, tensor)], [.. columns.Select(column => column + ".output")]);
        var outputs = new Dictionary<string, float[][]>();
        foreach (DisposableNamedOnnxValue result in results)
        {
            (float[] flat, int[] dims) = result.Value switch
            {
                DenseTensor<float> f => (f.ToArray(), f.Dimensions.ToArray()),
                DenseTensor<bool> b => (b.ToArray().Select(v => v ? 1f : 0f).ToArray(), b.Dimensions.ToArray()),
                DenseTensor<uint> u => (u.ToArray().Select(v => (float)v).ToArray(), u.Dimensions.ToArray()),
                _ => throw new NotSupportedException($"Output '{result.Name}' of type {result.Value.GetType()}."),
            };
            Assert.Equal(rows.Count, dims[0]);
            int perRow = flat.Length / rows.Count;
            outputs[result.Name[..^".output".Length]] = [.. Enumerable.Range(0, rows.Count).Select(i => flat.AsSpan(i * perRow, perRow).ToArray())];
        }
        return outputs;
    }

    /// <summary>The opsets an ONNX model imports (domain → version), read from its protobuf: ModelProto field 8, each an OperatorSetIdProto (domain 1, version 2).</summary>
    public static Dictionary<string, long> Opsets(byte[] onnx)
    {
        var opsets = new Dictionary<string, long>();
        var model = new Google.Protobuf.CodedInputStream(onnx);
        for (uint tag; (tag = model.ReadTag()) != 0;)
        {
            if (Google.Protobuf.WireFormat.GetTagFieldNumber(tag) != 8)
            {
                model.SkipLastField();
                continue;
            }
            var opset = new Google.Protobuf.CodedInputStream(model.ReadBytes().ToByteArray());
            string domain = "";
            long version = 0;
            for (uint field; (field = opset.ReadTag()) != 0;)
            {
                switch (Google.Protobuf.WireFormat.GetTagFieldNumber(field))
                {
                    case 1: domain = opset.ReadString(); break;
                    case 2: version = opset.ReadInt64(); break;
                    default: opset.SkipLastField(); break;
                }
            }
            opsets[domain] = version;
        }
        return opsets;
    }

    /// <summary>Asserts that <paramref name="actual"/> matches <paramref name="expected"/> row by row within <see cref="Tolerance"/>.</summary>
    public static void AssertClose(IReadOnlyList<float[]> expected, IReadOnlyList<float[]> actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int row = 0; row < expected.Count; row++)
        {
            Assert.True(expected[row].Length == actual[row].Length, $"{what}, row {row}: {expected[row].Length} values expected, {actual[row].Length} exported.");
            for (int i = 0; i < expected[row].Length; i++)
            {
                float difference = Math.Abs(expected[row][i] - actual[row][i]);
                Assert.True(difference <= Tolerance * Math.Max(1f, Math.Abs(expected[row][i])),
                    $"{what}, row {row}, value {i}: the package gives {expected[row][i]:R}, ONNX Runtime {actual[row][i]:R}.");
            }
        }
    }

    private static Func<float[]> VectorReader<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, float> convert)
    {
        ValueGetter<VBuffer<T>> getter = cursor.GetGetter<VBuffer<T>>(column);
        VBuffer<T> buffer = default;
        return () =>
        {
            getter(ref buffer);
            return [.. buffer.DenseValues().Select(convert)];
        };
    }

    private static Func<float[]> ScalarReader<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, float> convert)
    {
        ValueGetter<T> getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return [convert(value)];
        };
    }
}
