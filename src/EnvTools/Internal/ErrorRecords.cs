using System.Management.Automation;

namespace EnvTools.Commands.Internal;

/// <summary>Turns the engine's typed exceptions into PowerShell error records.</summary>
internal static class ErrorRecords
{
    /// <summary>The ErrorCategory for an engine error kind.</summary>
    internal static ErrorCategory CategoryOf(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.InvalidResult => ErrorCategory.InvalidResult,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        ErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        ErrorKind.SecurityError => ErrorCategory.SecurityError,
        ErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>An error record whose ErrorId is the exception's stable id and whose target carries its facts.</summary>
    internal static ErrorRecord From(EnvToolsException ex, object? target = null) =>
        new(ex, ex.ErrorId, CategoryOf(ex.Kind), target ?? ex.Target);

    /// <summary>An error record for an exception that did not come from the engine.</summary>
    internal static ErrorRecord From(Exception ex, string errorId, ErrorCategory category, object? target) =>
        ex is EnvToolsException typed ? From(typed, target) : new ErrorRecord(ex, errorId, category, target);
}
