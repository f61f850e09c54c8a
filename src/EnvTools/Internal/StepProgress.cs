using System.Management.Automation;
using EnvTools.Install;

namespace EnvTools.Commands.Internal;

/// <summary>The progress bars of an environment change: one per step (channels, solve, fetch, link), ids 10 to 13.</summary>
internal static class StepProgress
{
    private static readonly string[] StepNames = { "Loading channels", "Solving", "Downloading and extracting packages", "Linking" };

    /// <summary>The progress record of an engine report: its step's bar, completed or at its percentage.</summary>
    public static ProgressRecord Record(OperationProgress p) =>
        new(10 + (int)p.Step, StepNames[(int)p.Step], string.IsNullOrEmpty(p.Status) ? "…" : p.Status)
        {
            PercentComplete = p.Completed ? 100 : p.Percent,
            RecordType = p.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
}
