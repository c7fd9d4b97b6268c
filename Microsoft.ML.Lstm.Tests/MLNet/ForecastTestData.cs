using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>Series with a known answer for the forecasting tests.</summary>
internal static class ForecastTestData
{
    /// <summary>level · (1 + trend·t) · (1 + 0.2·sin(2πt/12 + phase)) + N(0, noise²), <paramref name="length"/> steps.</summary>
    public static float[] Seasonal(int length, double level, double noise, int seed, double trend = 0.003, double phase = 0)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int t = 0; t < length; t++)
            values[t] = (float)(level * (1 + trend * t) * (1 + 0.2 * Math.Sin(2 * Math.PI * t / 12 + phase)) + noise * Gaussian(random));
        return values;
    }

    public static List<ForecastRow> Rows(string series, float[] values) =>
        values.Select((v, t) => new ForecastRow { Series = series, Value = v, Month = t % 12 }).ToList();

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Mean of 200·|y − ŷ| / (|y| + |ŷ|).</summary>
    public static double SymmetricMape(ReadOnlySpan<float> actual, ReadOnlySpan<float> forecast)
    {
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
            sum += 200 * Math.Abs(actual[i] - forecast[i]) / (Math.Abs(actual[i]) + Math.Abs(forecast[i]));
        return sum / actual.Length;
    }

    /// <summary>Each row's forecast, lower and upper vectors, in row order.</summary>
    public static List<(string Series, float[] Forecast, float[] Lower, float[] Upper)> Outputs(ITransformer model, IDataView data)
    {
        IDataView scored = model.Transform(data);
        var rows = new List<(string, float[], float[], float[])>();
        using DataViewRowCursor cursor = scored.GetRowCursor(scored.Schema);
        var series = cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema["Series"]);
        var forecast = cursor.GetGetter<VBuffer<float>>(scored.Schema["Forecast"]);
        var lower = cursor.GetGetter<VBuffer<float>>(scored.Schema["Lower"]);
        var upper = cursor.GetGetter<VBuffer<float>>(scored.Schema["Upper"]);
        ReadOnlyMemory<char> name = default;
        VBuffer<float> f = default, l = default, u = default;
        while (cursor.MoveNext())
        {
            series(ref name);
            forecast(ref f);
            lower(ref l);
            upper(ref u);
            rows.Add((name.ToString(), f.DenseValues().ToArray(), l.DenseValues().ToArray(), u.DenseValues().ToArray()));
        }
        return rows;
    }
}
