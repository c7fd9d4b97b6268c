using System.Globalization;

namespace Forecasting;

/// <summary>The series a run forecasts: names, values in time order, and each one's steps per season and steps held out.</summary>
internal sealed record SeriesData(IReadOnlyList<string> Names, IReadOnlyList<float[]> Values, IReadOnlyList<int> Seasons, IReadOnlyList<int> HeldOut, string Source)
{
    /// <summary>The forecaster's horizon: the longest held-out stretch (shorter ones are scored on their first steps).</summary>
    public int Horizon => HeldOut.Max();

    /// <summary>Six monthly series of ten years: level, trend, a yearly cycle whose strength grows with the level, and noise; magnitudes from about 10 to 10,000.</summary>
    public static SeriesData Generate()
    {
        var random = new Random(7);
        var names = new List<string>();
        var values = new List<float[]>();
        double[] levels = [12, 85, 400, 1_500, 3_200, 9_000];
        for (int s = 0; s < levels.Length; s++)
        {
            double level = levels[s], trend = level * (0.002 + 0.002 * s), amplitude = 0.1 + 0.04 * s, phase = random.NextDouble() * 2 * Math.PI;
            var series = new float[120];
            for (int t = 0; t < series.Length; t++)
            {
                double current = level + trend * t;
                double noise = Gaussian(random) * 0.03 * current;
                series[t] = (float)(current * (1 + amplitude * Math.Sin(2 * Math.PI * t / 12 + phase)) + noise);
            }
            names.Add($"series-{s + 1}");
            values.Add(series);
        }
        return new SeriesData(names, values, [.. names.Select(_ => 12)], [.. names.Select(_ => 12)], "generated: 6 monthly series of 120 steps (trend, yearly season, 3 % noise)");
    }

    /// <summary>
    /// Reads <c>date,value</c> or <c>series,date,value</c> (with that header); each series' season and held-out steps come
    /// from its dates: monthly series hold out 12 points, quarterly 8, others 12 with no assumed season.
    /// </summary>
    public static SeriesData Read(string path)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length < 2)
            throw new FormatException($"{path} has no rows.");
        string[] header = lines[0].Split(',');
        bool named = header.Length == 3;
        if (!(header is ["date", "value"] or ["series", "date", "value"]))
            throw new FormatException($"{path} starts with '{lines[0]}'; expected the header 'date,value' or 'series,date,value'.");
        var order = new List<string>();
        var rows = new Dictionary<string, List<(DateTime Date, float Value)>>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
                continue;
            string[] fields = lines[i].Split(',');
            if (fields.Length != header.Length)
                throw new FormatException($"{path} line {i + 1} has {fields.Length} fields; expected {header.Length}.");
            string name = named ? fields[0] : Path.GetFileNameWithoutExtension(path);
            if (!DateTime.TryParse(fields[^2], CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime date))
                throw new FormatException($"{path} line {i + 1}: '{fields[^2]}' is not a date.");
            float value = fields[^1] is "" or "NA" ? float.NaN : float.Parse(fields[^1], CultureInfo.InvariantCulture);
            if (!rows.TryGetValue(name, out var list))
            {
                rows[name] = list = [];
                order.Add(name);
            }
            list.Add((date, value));
        }
        var seasons = new List<int>();
        var heldOut = new List<int>();
        foreach (string name in order)
        {
            var list = rows[name];
            int months = list.Count > 1 ? (list[1].Date.Year - list[0].Date.Year) * 12 + list[1].Date.Month - list[0].Date.Month : 0;
            (int season, int held) = months switch { 1 => (12, 12), 3 => (4, 8), _ => (1, 12) };
            seasons.Add(season);
            heldOut.Add(held);
        }
        return new SeriesData(order, order.ConvertAll(n => rows[n].Select(r => r.Value).ToArray()), seasons, heldOut, path);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
