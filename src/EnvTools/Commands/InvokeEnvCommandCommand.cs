using System.Management.Automation;
using EnvTools.Activation;
using EnvTools.Commands.Internal;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Runs a program in an environment, activated for that program only (conda run).</para>
/// <para type="description">Invoke-EnvCommand starts -FilePath with the environment activated in the child's variables
/// only: PATH with the environment's folders first, CONDA_PREFIX, CONDA_DEFAULT_ENV, CONDA_SHLVL, the environment's
/// variables (Set-EnvVariable) and what its etc/conda/activate.d shell scripts set (.sh on Unix, .bat on Windows, as
/// conda run runs them; .ps1 scripts belong to a PowerShell session and are not run). The session's own variables do
/// not change. An environment active in the session gives way, as with conda run. -FilePath is looked up on the
/// activated PATH, so the environment's programs come first. Output is live: each line of standard output is written
/// to the pipeline as a string as soon as the program writes it, and each line of standard error goes to the host as
/// it is written (through the information stream with the tags PSHOST and stderr, as Write-Host does: capture it
/// with 6&gt;&amp;1 or -InformationVariable). Standard input is the session's. The exit code is set as $LASTEXITCODE; a
/// non-zero one is also an error (NativeCommandExitCode) when $PSNativeCommandUseErrorActionPreference is $true. The
/// environment is -Name, -Prefix (bound from Get-Env output), or the active one. Ctrl+C ends the program and the
/// processes it started.</para>
/// </summary>
/// <example><code>Invoke-EnvCommand -Name ml -FilePath python -ArgumentList '-c', 'import sys; print(sys.prefix)'</code>
/// <para>Runs the environment's python, like conda run -n ml python -c ...; the session's PATH and CONDA_PREFIX stay as
/// they were. The program prints the environment's prefix.</para>
/// <output>
/// …/envs/ml
/// </output></example>
/// <example><code>Invoke-EnvCommand ml python -ArgumentList '-m', 'unittest', 'discover', 'tests'; if ($LASTEXITCODE -ne 0) { throw "tests failed: $LASTEXITCODE" }</code>
/// <para>Runs the tests in ./tests with the environment's python (positional -Name and -FilePath) and fails the script
/// when they fail. Arguments that start with - go quoted in -ArgumentList, so that PowerShell does not take them for
/// its own parameters. unittest writes to standard error, which is shown as it comes.</para>
/// <output>
/// .
/// ----------------------------------------------------------------------
/// Ran 1 test in 0.001s
///
/// OK
/// </output></example>
/// <example><code>$lines = Invoke-EnvCommand -Prefix ./envs/build -FilePath cmake -ArgumentList '--build', '.' -WorkingDirectory ./out 6>&amp;1</code>
/// <para>Runs cmake from the environment at ./envs/build in the build folder ./out and captures its standard output and
/// standard error (6>&amp;1) together in $lines. Prints nothing; $lines then holds cmake's lines.</para></example>
/// <returns type="System.String">Each line the program writes to standard output, as it is written; standard error goes
/// to the host (information stream).</returns>
/// <seealso cref="UseEnvCommand"/>
/// <seealso cref="EnableEnvCommand"/>
[Cmdlet(VerbsLifecycle.Invoke, "EnvCommand", DefaultParameterSetName = "Name")]
[OutputType(typeof(string))]
public sealed partial class InvokeEnvCommandCommand : EnvCmdlet
{
    private static readonly string[] StderrTags = ["PSHOST", "stderr"];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var settings = ChannelArguments.LoadSettings(this);
            (string prefix, string? name) = ActivationSession.ResolveEnvironment(this, settings, Name, Prefix, activeByDefault: true);
            string cwd = WorkingDirectory is null
                ? SessionState.Path.CurrentFileSystemLocation.ProviderPath
                : SessionState.Path.GetUnresolvedProviderPathFromPSPath(WorkingDirectory);
            (string file, EnvironmentVariableMap variables) = EnvironmentCommand.Prepare(prefix, name, FilePath, cwd, CancellationToken);
            WriteVerbose($"{file} {string.Join(" ", ArgumentList)} in {prefix}");
            using EnvironmentCommand command = EnvironmentCommand.Start(file, ArgumentList, cwd, variables);
            try
            {
                foreach (OutputLine line in command.ReadLines(CancellationToken))
                {
                    if (line.Stream == OutputStream.StandardOutput)
                    {
                        WriteObject(line.Text);
                    }
                    else
                    {
                        WriteInformation(new HostInformationMessage { Message = line.Text }, StderrTags);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                command.Kill();
                throw;
            }

            int exit = command.WaitForExit();
            SessionState.PSVariable.Set("global:LASTEXITCODE", exit);
            if (exit != 0 && SessionState.PSVariable.GetValue("PSNativeCommandUseErrorActionPreference") is true)
            {
                throw EnvironmentCommand.ExitCodeError(FilePath, exit);
            }
        }, (object?)Name ?? Prefix);
    }
}
