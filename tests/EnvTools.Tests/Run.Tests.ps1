# Running programs in an environment: Invoke-EnvCommand (conda run: activation for the child only, live output, exit
# code as $LASTEXITCODE) and Use-Env's output streaming (objects and native lines go down the pipeline as produced).
# The programs are shell scripts packaged by the tests (Unix: sh and bash, which every Debian system has).
BeforeDiscovery { $script:notUnix = $IsWindows }

Describe 'Running programs in an environment' -Skip:$notUnix {
    BeforeAll {
        $modulePath = $env:ENVTOOLS_MODULE
        if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
        Import-Module $modulePath -Force
        Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force
        $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
        $chan = Join-Path $TestDrive 'channel'
        # envtool: prints its environment's view on stdout, a variable an activate.d script sets on stderr, exits 3.
        # waiter: prints "ready", then waits (at most 15 s) for the file $1 the test makes once it has seen "ready".
        New-TestPackage -Channel $chan -Name tool -Version 1.0 -Files @{
            'bin/envtool'                  = "#!/bin/sh`necho `"env=`$CONDA_DEFAULT_ENV arg=`$1 pwd=`$(pwd)`"`necho `"var=`$MYVAR`" >&2`nexit 3`n"
            'bin/waiter'                   = "#!/bin/sh`necho ready`ni=0`nwhile [ `$i -lt 150 ]; do if [ -f `"`$1`" ]; then echo saw-flag; exit 0; fi; sleep 0.1; i=`$((i+1)); done`necho no-flag`n"
            'etc/conda/activate.d/tool.sh' = "export MYVAR=from-activate-d`n"
        } | Out-Null
        Update-TestChannelIndex $chan | Out-Null
        $script:envPrefix = (New-Env runenv tool -Channel $chan).Prefix
    }

    AfterAll {
        Restore-IsolatedConda $saved
    }

    It 'runs a program of the environment with the environment activated for the child only' {
        $before = [Environment]::GetEnvironmentVariables()
        $out = Invoke-EnvCommand -Name runenv -FilePath envtool -ArgumentList hello -WorkingDirectory $TestDrive -InformationVariable info
        $LASTEXITCODE | Should -Be 3
        $out | Should -Be "env=runenv arg=hello pwd=$TestDrive"
        "$info" | Should -Be 'var=from-activate-d'
        $info[0].Tags | Should -Contain 'stderr'
        # the session is untouched
        $env:CONDA_PREFIX | Should -BeNullOrEmpty
        $env:MYVAR | Should -BeNullOrEmpty
        $env:PATH | Should -Be $before['PATH']
    }

    It 'passes arguments as they are, positionally too, and binds the environment from Get-Env' {
        Invoke-EnvCommand runenv envtool -x 2>$null 6>$null | Should -Match '^env=runenv arg=-x '
        Get-Env runenv | Invoke-EnvCommand -FilePath envtool -ArgumentList 'two words' 6>$null | Should -Match 'arg=two words'
        $LASTEXITCODE | Should -Be 3
    }

    It 'sets $LASTEXITCODE 0 for a program that succeeds' {
        Invoke-EnvCommand runenv sh -c 'echo fine' | Should -Be 'fine'
        $LASTEXITCODE | Should -Be 0
    }

    It 'writes each line as the program writes it, not when it ends' {
        $flag = Join-Path $TestDrive 'flag-run'
        $lines = Invoke-EnvCommand runenv waiter $flag | ForEach-Object { if ($_ -eq 'ready') { New-Item $flag | Out-Null }; $_ }
        $lines | Should -Be @('ready', 'saw-flag')
    }

    It 'reports a program that is not there as CommandNotFound' {
        Invoke-EnvCommand runenv no-such-program -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CommandNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'Use-Env writes the block''s objects as they are produced' {
        $script:seen = $false
        $out = Use-Env runenv { 'first'; "seen-before-end=$script:seen" } | ForEach-Object { if ($_ -eq 'first') { $script:seen = $true }; $_ }
        $out | Should -Be @('first', 'seen-before-end=True')
    }

    It 'Use-Env streams a native program''s lines as it writes them' {
        $flag = Join-Path $TestDrive 'flag-use'
        $lines = Use-Env runenv { waiter $flag } | ForEach-Object { if ($_ -eq 'ready') { New-Item $flag | Out-Null }; $_ }
        $lines | Should -Be @('ready', 'saw-flag')
        $env:CONDA_PREFIX | Should -BeNullOrEmpty
    }
}
