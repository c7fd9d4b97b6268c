using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class SmallDataScheduleTests
{
    private static readonly TrainingOptions Defaults = new() { Epochs = 20, ValidationFraction = 0.1, EarlyStoppingPatience = 3 };

    [Theory]
    [InlineData(100, true)]
    [InlineData(1_000, true)]
    [InlineData(1_994, true)]  // 10 % is 199.4 → 199 rows
    [InlineData(1_995, false)] // 199.5 → 200 rows
    [InlineData(2_400, false)]
    public void SplitOfFewerThan200RowsIsNotHeldOut(int rows, bool small)
    {
        Assert.Equal(small, SmallDataSchedule.Applies(Defaults, rows, validationGiven: false));
        TrainingOptions options = SmallDataSchedule.For(Defaults, rows, validationGiven: false);
        Assert.Equal(small ? 0 : 0.1, options.ValidationFraction);
        Assert.Equal(Defaults with { ValidationFraction = options.ValidationFraction }, options);
    }

    [Fact]
    public void GivenValidationSetOrNoSplitLeavesTheOptionsAlone()
    {
        Assert.False(SmallDataSchedule.Applies(Defaults, 100, validationGiven: true));
        Assert.Same(Defaults, SmallDataSchedule.For(Defaults, 100, validationGiven: true));
        TrainingOptions noSplit = Defaults with { ValidationFraction = 0 };
        Assert.False(SmallDataSchedule.Applies(noSplit, 100, validationGiven: false));
    }

    [Fact]
    public void LargerFractionMovesTheThreshold()
    {
        TrainingOptions quarter = Defaults with { ValidationFraction = 0.25 };

        Assert.False(SmallDataSchedule.Applies(quarter, 1_000, validationGiven: false)); // 250 rows held out
        Assert.True(SmallDataSchedule.Applies(quarter, 700, validationGiven: false));    // 175
    }
}
