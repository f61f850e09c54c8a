# Set-EnvConfig / Add-EnvConfig / Remove-EnvConfig (conda config --set/--add/--append/--remove/--remove-key) write
# .condarc files keeping comments and key order; Get-EnvConfig knows every conda key; env_prompt shapes the prompt.
# One test has the real conda read a file EnvTools wrote.
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestIsolation.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force
    $script:saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'conda')
    $script:original = @"
# my settings
channels:   # in priority order
  - defaults
  - bioconda

# speed
channel_priority: flexible
always_yes: false   # ask
"@
}

AfterAll {
    Restore-IsolatedConda $saved
}

Describe 'Writing .condarc' {
    BeforeEach {
        $script:rc = Join-Path $TestDrive "rc-$([guid]::NewGuid().ToString('N').Substring(0, 6)).condarc"
        Set-Content $rc $original
    }

    It 'Set-EnvConfig changes only the key''s line and appends new keys at the end' {
        Set-EnvConfig channel_priority strict -File $rc
        Set-EnvConfig solver classic -File $rc
        Get-Content $rc | Should -Be @('# my settings', 'channels:   # in priority order', '  - defaults', '  - bioconda', '', '# speed',
            'channel_priority: strict', 'always_yes: false   # ask', 'solver: classic')
        $env:CONDARC = $rc
        try { (Get-EnvConfig channel_priority).Value | Should -Be 'Strict' }
        finally { Remove-Item env:CONDARC }
    }

    It 'Add-EnvConfig prepends (conda --add) or appends, moving a value already there with a warning' {
        Add-EnvConfig channels conda-forge -File $rc
        Add-EnvConfig channels defaults -Append -File $rc -WarningVariable w 3>$null
        $w[0] | Should -Match "'defaults' already in 'channels' list, moving to the bottom"
        Get-Content $rc | Select-Object -First 5 | Should -Be @('# my settings', 'channels:   # in priority order', '  - conda-forge', '  - bioconda', '  - defaults')
        Add-EnvConfig pkgs_dirs /data/pkgs, /scratch/pkgs -File $rc
        Get-Content $rc | Select-Object -Last 3 | Should -Be @('pkgs_dirs:', '  - /data/pkgs', '  - /scratch/pkgs')
    }

    It 'Remove-EnvConfig removes values (conda --remove) and whole keys (conda --remove-key), and names what is not there' {
        Remove-EnvConfig channels bioconda -File $rc
        Remove-EnvConfig always_yes -File $rc
        Get-Content $rc | Should -Be @('# my settings', 'channels:   # in priority order', '  - defaults', '', '# speed', 'channel_priority: flexible')
        Remove-EnvConfig channels nothere -File $rc -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ConfigValueNotFound,EnvTools.Commands.RemoveEnvConfigCommand'
        Remove-EnvConfig solver -File $rc -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ConfigKeyNotFound,EnvTools.Commands.RemoveEnvConfigCommand'
    }

    It 'sets one entry of a map key as KEY.ENTRY' {
        Set-EnvConfig proxy_servers.https http://proxy.example:3128 -File $rc
        Set-EnvConfig proxy_servers.http http://other:8080 -File $rc
        Set-EnvConfig proxy_servers.https http://proxy2.example:3128 -File $rc
        Get-Content $rc | Select-Object -Last 3 | Should -Be @('proxy_servers:', '  https: http://proxy2.example:3128', '  http: http://other:8080')
    }

    It 'refuses unknown keys and wrong operations before writing, and -WhatIf writes nothing' {
        Set-EnvConfig no_such_key 1 -File $rc -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'UnknownConfigKey,EnvTools.Commands.SetEnvConfigCommand'
        Set-EnvConfig channels conda-forge -File $rc -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidConfigOperation,EnvTools.Commands.SetEnvConfigCommand'
        Add-EnvConfig always_yes true -File $rc -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidConfigOperation,EnvTools.Commands.AddEnvConfigCommand'
        Set-EnvConfig channel_priority strict -File $rc -WhatIf
        Get-Content $rc -Raw | Should -Be ($original + [Environment]::NewLine)
    }

    It 'writes the user''s ~/.condarc by default and an environment''s own .condarc with -Prefix' {
        Set-EnvConfig always_yes true
        Get-Content (Join-Path $env:HOME '.condarc') | Should -Be @('always_yes: true')
        $prefix = Join-Path $TestDrive 'envs/cfg'
        New-Env -Prefix $prefix | Out-Null
        Add-EnvConfig channels conda-forge -Prefix $prefix
        Get-Content (Join-Path $prefix '.condarc') | Should -Be @('channels:', '  - conda-forge')
    }

    It 'is read by the real conda as written' -Tag UnixOnly {
        $conda = Join-Path $PSScriptRoot '../../../shared/realconda/conda'
        if ($IsWindows) {
            # Unix-only, like the interop suite: the real conda runs with Debian's python3
            Set-ItResult -Skipped -Because 'Unix-only: the real conda runs with Debian''s python3'; return
        }
        if (-not (Test-Path $conda) -or -not $IsLinux) {
            if ($env:CI -eq 'true') { throw "the real conda ($conda) is missing" }
            Set-ItResult -Skipped -Because "the real conda ($conda) is missing (see README.md, Development)"; return
        }
        Set-EnvConfig channel_priority strict -File $rc
        Add-EnvConfig channels conda-forge -File $rc
        Set-EnvConfig auto_activate false -File $rc
        # conda sees none of the CONDA_* variables the test isolation sets (it rejects a fractional CONDA_REMOTE_BACKOFF_FACTOR)
        $hidden = @{}
        foreach ($v in Get-ChildItem env: | Where-Object Name -like 'CONDA_*') { $hidden[$v.Name] = $v.Value; Remove-Item "env:$($v.Name)" }
        try { $json = & $conda config --file $rc --get --json 2>$null | Out-String }
        finally { foreach ($k in $hidden.Keys) { Set-TestVariable $k $hidden[$k] } }
        $out = ($json | ConvertFrom-Json).get
        $out.channels | Should -Be @('conda-forge', 'defaults', 'bioconda')
        $out.channel_priority | Should -Be 'strict'
        $out.auto_activate | Should -BeFalse
    }
}

Describe 'Get-EnvConfig and conda''s keys' {
    It 'reports conda keys EnvTools does not use as such, with their value, not as errors' {
        $rc = Join-Path $TestDrive 'known.condarc'
        Set-Content $rc "auto_activate_base: false`nsolver: classic`n"
        $env:CONDARC = $rc
        try {
            $v = Get-EnvConfig auto_activate_base, solver, env_prompt -ErrorVariable err -WarningVariable warn 3>$null
            $err | Should -BeNullOrEmpty
            $warn | Should -BeNullOrEmpty
            ($v | Where-Object Key -eq auto_activate_base).Value | Should -Be 'false'   # as written: EnvTools does not type it
            ($v | Where-Object Key -eq auto_activate_base).UsedByEnvTools | Should -BeFalse
            ($v | Where-Object Key -eq solver).Value | Should -Be 'classic'
            ($v | Where-Object Key -eq env_prompt).Value | Should -Be '({default_env}) '
            Get-EnvConfig no_such_key -ErrorVariable err2 -ErrorAction SilentlyContinue
            $err2[0].FullyQualifiedErrorId | Should -BeLike 'ConfigKeyNotFound,*'
        }
        finally { Remove-Item env:CONDARC }
    }

    It 'completes every conda key' {
        $line = 'Set-EnvConfig auto_act'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('auto_activate')
    }

    It 'shapes the prompt modifier with env_prompt' {
        $prefix = Join-Path $env:CONDA_ENVS_DIRS 'prompted'
        New-Env -Prefix $prefix | Out-Null
        $rc = Join-Path $TestDrive 'prompt.condarc'
        Set-EnvConfig env_prompt '[{name}|{default_env}] ' -File $rc
        Get-Content $rc | Should -Be @("env_prompt: '[{name}|{default_env}] '")
        $env:CONDARC = $rc
        try {
            Enable-Env prompted
            $env:CONDA_PROMPT_MODIFIER | Should -Be '[prompted|prompted] '
            Disable-Env
        }
        finally { Remove-Item env:CONDARC }
        Enable-Env prompted
        $env:CONDA_PROMPT_MODIFIER | Should -Be '(prompted) '
        Disable-Env
    }
}
