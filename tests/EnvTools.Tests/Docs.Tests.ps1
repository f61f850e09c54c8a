# The docs test: every ```powershell example of README.md and docs/*.md runs as written, from the repository root, and
# prints what the file shows (DocTest.psm1 says how examples are read and compared). Each file's examples run in order
# in one child pwsh with the module imported, as a reader would type them after the set-up commands, against the demo
# channel the build lays out (docs/demo/channel); HOME, the package cache, the envs dirs and the configuration point
# into a temporary folder (no channels configured), so the machine's ~/.conda is never read or written; files the
# examples write in the repository root are deleted afterwards. The output shown in the docs is linux-64's: on other
# hosts (the Windows lane) the examples are skipped.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DocTest.psm1') -Force
    $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $files = @(Get-Item (Join-Path $repo 'README.md')) + @(Get-ChildItem (Join-Path $repo 'docs') -Filter *.md | Sort-Object Name)
    $script:docFiles = foreach ($f in $files) {
        $name = [IO.Path]::GetRelativePath($repo, $f.FullName).Replace('\', '/')
        $examples = @(Get-DocExample -Path $f.FullName -Name $name)
        if ($examples.Count) { @{ File = $name; Examples = $examples } }
    }
}

Describe 'Docs examples in <File>' -ForEach $docFiles {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'DocTest.psm1') -Force
        Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force
        $script:repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
        $script:notHere = if (-not ($IsLinux -and [Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64')) {
            "the docs show linux-64 output; this host is $([Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier)"
        }
        $script:results = @{}
        if ($notHere) { return }
        if (-not (Test-Path (Join-Path $repo 'docs/demo/channel/noarch/repodata.json'))) {
            throw 'the demo channel docs/demo/channel is missing: ./build.ps1 Build lays it out'
        }
        $modulePath = $env:ENVTOOLS_MODULE
        if (-not $modulePath) { $modulePath = Join-Path $repo 'out/EnvTools/EnvTools.psd1' }

        # the commands of the runnable examples, in file order
        $commands = foreach ($ex in $Examples) {
            if ($null -ne $ex.SkipReason -or $ex.Problem) { continue }
            foreach ($c in $ex.Commands) { [pscustomobject] @{ Id = "$($c.Line)"; Text = $c.Text } }
        }
        $work = Join-Path ([IO.Path]::GetTempPath()) ("envtools-doctest-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $work | Out-Null
        $commandFile = Join-Path $work 'commands.json'
        $resultFile = Join-Path $work 'results.jsonl'
        ConvertTo-Json -InputObject @($commands) -Depth 3 | Set-Content -LiteralPath $commandFile

        # files the examples write in the repository root go afterwards; the repository's state is compared
        $before = @(Get-ChildItem -LiteralPath $repo -Force | ForEach-Object Name)
        $script:gitBefore = if (Get-Command git -ErrorAction Ignore) { (& git -C $repo status --porcelain --untracked-files=all 2>$null) -join "`n" }
        $saved = Use-IsolatedConda -Root $work
        $env:CONDA_ENVS_DIRS = Join-Path $work 'home/.conda/envs'
        $env:CONDA_PKGS_DIRS = Join-Path $work 'home/.conda/pkgs'
        $savedCuda = $env:CONDA_OVERRIDE_CUDA, $env:ENVTOOLS_CUDA_LIBRARY
        Remove-Item env:CONDA_OVERRIDE_CUDA, env:ENVTOOLS_CUDA_LIBRARY -ErrorAction Ignore
        try {
            $pwsh = (Get-Process -Id $PID).Path
            $pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
            $p = Start-Process -FilePath $pwsh -WorkingDirectory $repo -PassThru -NoNewWindow `
                -RedirectStandardOutput (Join-Path $work 'stdout.txt') -RedirectStandardError (Join-Path $work 'stderr.txt') `
                -ArgumentList (@($pwshArgs) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'DocTestRunner.ps1'),
                    '-CommandFile', $commandFile, '-ResultFile', $resultFile, '-Module', $modulePath))
            if (-not $p.WaitForExit(600000)) { $p.Kill($true); throw "the examples of $File ran longer than 10 minutes" }
            $script:runnerLog = (Get-Content (Join-Path $work 'stdout.txt'), (Join-Path $work 'stderr.txt') -Raw -ErrorAction Ignore) -join "`n"
            $script:results = Read-DocResult -ResultFile $resultFile -StdoutFile (Join-Path $work 'stdout.txt')
        }
        finally {
            Restore-IsolatedConda $saved
            $env:CONDA_OVERRIDE_CUDA, $env:ENVTOOLS_CUDA_LIBRARY = $savedCuda
            Get-ChildItem -LiteralPath $repo -Force | Where-Object Name -notin $before | Remove-Item -Recurse -Force
            Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
        }
    }

    It '<File>:<Line>' -ForEach $Examples {
        if ($Problem) { throw "${File}:${Line}: $Problem" }
        if ($null -ne $SkipReason) {
            if (-not $SkipReason) { throw "${File}:${Line}: a skipped example needs a reason: <!-- doctest: skip (reason) -->" }
            Set-ItResult -Skipped -Because $SkipReason
            return
        }
        if ($notHere) { Set-ItResult -Skipped -Because $notHere; return }
        $failures = foreach ($c in $Commands) {
            $r = $results["$($c.Line)"]
            if (-not $r) { "${File}:$($c.Line): PS> $($c.Text)`nthe command did not run (the runner stopped):`n$runnerLog"; continue }
            $diff = Compare-DocOutput -Expected $c.Expected -Actual $r.Output -ErrorLines @($r.Errors)
            if ($diff) { "${File}:$($c.Line): PS> $($c.Text)`n$diff" }
        }
        if ($failures) { throw ($failures -join "`n`n") }
    }

    It 'leaves the repository as it was (<File>)' {
        if ($notHere) { Set-ItResult -Skipped -Because $notHere; return }
        if ($null -eq $gitBefore) { Set-ItResult -Skipped -Because 'git is not installed'; return }
        (& git -C $repo status --porcelain --untracked-files=all 2>$null) -join "`n" | Should -Be $gitBefore
    }
}

Describe 'The docs test itself' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'DocTest.psm1') -Force
        $script:md = Join-Path $TestDrive 'sample.md'
    }

    It 'reads commands, continuation lines, output and skip markers' {
        Set-Content -LiteralPath $md -Value @(
            'Text.', '', '```powershell', 'PS> 1 +', '>>   1', '2', '', '(demo) PS> "a", "b"', 'a', 'b', '```',
            '<!-- doctest: skip (needs a GPU) -->', '```powershell', 'PS> nvidia-smi', '```',
            '<!-- doctest: skip -->', '```powershell', 'PS> 1', '```', '```sh', 'echo fine', '```', '```', 'PS> hidden', '```')
        $ex = @(Get-DocExample -Path $md -Name sample.md)
        $ex.Count | Should -Be 4
        $ex[3].Problem | Should -Match 'must be a ```powershell block'
        $ex[0].Line | Should -Be 3
        $ex[0].Commands.Count | Should -Be 2
        $ex[0].Commands[0].Text | Should -Be "1 +`n  1"
        $ex[0].Commands[0].Expected | Should -Be @('2', '')
        $ex[0].Commands[1].Line | Should -Be 8
        $ex[1].SkipReason | Should -Be 'needs a GPU'
        $ex[2].SkipReason | Should -Be ''
    }

    It 'compares as doctest does: spaces, blank lines and … are free, anything else is not' {
        Compare-DocOutput -Expected @('', 'Name   Version', '----   -------', 'zlib   1.3.1') -Actual "`nName Version`n---- -------`nzlib 1.3.1   `n`n" | Should -BeNullOrEmpty
        Compare-DocOutput -Expected @('Prefix', '…/envs/demo') -Actual "Prefix`n/tmp/x/home/.conda/envs/demo" | Should -BeNullOrEmpty
        Compare-DocOutput -Expected @('first', '…', 'last') -Actual "first`na`nb`nlast" | Should -BeNullOrEmpty
        Compare-DocOutput -Expected @('zlib 1.3.1') -Actual 'zlib 1.3.0' | Should -Match 'the output differs'
        Compare-DocOutput -Expected @('…/envs/demo') -Actual '/tmp/envs/demo2' | Should -Match 'the output differs'
        Compare-DocOutput -Expected @() -Actual 'unexpected' | Should -Match 'the output differs'
        # an error must be shown on a line of its own, not only under a bare …
        Compare-DocOutput -Expected @('…') -Actual "Get-Env: No environment named 'x' was found." -ErrorLines "Get-Env: No environment named 'x' was found." |
            Should -Match 'an error the example does not show'
    }

    It 'runs commands in one session and reports output and errors as a prompt prints them' {
        $modulePath = $env:ENVTOOLS_MODULE
        if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
        $commands = Join-Path $TestDrive 'c.json'
        $results = Join-Path $TestDrive 'r.jsonl'
        ConvertTo-Json -Depth 3 -InputObject @(
            @{ Id = '1'; Text = '$x = 41' },
            @{ Id = '2'; Text = "`$x + 1; Write-Warning 'careful'; Get-Env no-such-env" },
            @{ Id = '3'; Text = "`$ErrorActionPreference = 'Stop'" },
            @{ Id = '3b'; Text = "Get-Env no-such-env; 'not reached'" },
            @{ Id = '4'; Text = "`$ErrorActionPreference = 'Continue'; [pscustomobject]@{ Name = 'zlib'; Version = '1.3.1' }; [No.Such.Type]::X; 1 / 0" },
            @{ Id = '5'; Text = "New-Item -ItemType File (Join-Path '$TestDrive' never) -WhatIf; 'after'" }) | Set-Content $commands
        $pwsh = (Get-Process -Id $PID).Path
        $pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        & $pwsh @pwshArgs -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'DocTestRunner.ps1') -CommandFile $commands -ResultFile $results -Module $modulePath > (Join-Path $TestDrive 'stdout.txt')
        $all = Read-DocResult -ResultFile $results -StdoutFile (Join-Path $TestDrive 'stdout.txt')
        $all.Count | Should -Be 6
        $r = '1', '2', '3b', '4', '5' | ForEach-Object { $all[$_] }
        $r[0].Output | Should -BeNullOrEmpty
        ConvertTo-DocText @($r[1].Output) | Should -Be @('42', 'WARNING: careful', "Get-Env: No environment named 'no-such-env' was found.")
        $r[1].Errors | Should -Be "Get-Env: No environment named 'no-such-env' was found."
        ConvertTo-DocText @($r[2].Output) | Should -Be @("Get-Env: No environment named 'no-such-env' was found.")
        ConvertTo-DocText @($r[3].Output) | Should -Be @('Name Version', '---- -------', 'zlib 1.3.1', '', 'InvalidOperation: Unable to find type [No.Such.Type].',
            'RuntimeException: Attempted to divide by zero.')
        # -WhatIf lines reach a redirected stdout from the host on Linux; the examples run there only (linux-64), and the
        # Windows console host (under Wine) does not hand them to the redirection
        if (-not $IsWindows) {
            ConvertTo-DocText @($r[4].Output) | Should -Be @("What if: Performing the operation `"Create File`" on target `"Destination: $(Join-Path $TestDrive never)`".", 'after')
        }
        else { ConvertTo-DocText @($r[4].Output) | Select-Object -Last 1 | Should -Be 'after' }
        # the docs test fails on the error when the docs leave it out
        Compare-DocOutput -Expected @('42', 'WARNING: careful') -Actual $r[1].Output -ErrorLines $r[1].Errors | Should -Not -BeNullOrEmpty
    }
}
