using ScottPlot;

namespace Forecasting;

/// <summary>The PNG the sample writes: the end of one series' history, the held-out values, the forecast and its interval.</summary>
internal static class ForecastChart
{
    public static void Write(string path, string title, float[] history, float[] actual, float[] forecast, float[] lower, float[] upper, float confidence)
    {
        int shown = Math.Min(history.Length, 48);
        double[] historyX = Enumerable.Range(history.Length - shown, shown).Select(t => (double)t).ToArray();
        double[] futureX = Enumerable.Range(history.Length, forecast.Length).Select(t => (double)t).ToArray();
        var plot = new Plot();
        var band = plot.Add.FillY(futureX, lower.Select(v => (double)v).ToArray(), upper.Select(v => (double)v).ToArray());
        band.FillColor = Colors.SteelBlue.WithAlpha(0.25);
        band.LegendText = $"{confidence:P0} interval";
        var past = plot.Add.Scatter(historyX, history[^shown..].Select(v => (double)v).ToArray());
        past.LegendText = "history";
        past.Color = Colors.Black;
        var held = plot.Add.Scatter(futureX, actual.Select(v => (double)v).ToArray());
        held.LegendText = "held out";
        held.Color = Colors.Gray;
        var predicted = plot.Add.Scatter(futureX, forecast.Select(v => (double)v).ToArray());
        predicted.LegendText = "ForecastByLstm";
        predicted.Color = Colors.SteelBlue;
        predicted.LineWidth = 2;
        plot.Title(title);
        plot.XLabel("step");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 900, 500);
    }
}
