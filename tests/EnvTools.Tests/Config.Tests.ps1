BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestIsolation.psm1') -Force

    # Only $CONDARC is read (conda's CONDA_RESTRICT_RC_SEARCH_PATH): the machine's own .condarc files cannot leak in.
    $script:saved = @{}
    foreach ($name in 'CONDARC', 'CONDA_RESTRICT_RC_SEARCH_PATH', 'CONDA_CHANNEL_PRIORITY', 'CONDA_PREFIX', 'CONDA_OFFLINE') {
        $script:saved[$name] = [Environment]::GetEnvironmentVariable($name)
        Set-TestVariable $name $null
    }
    $env:CONDA_RESTRICT_RC_SEARCH_PATH = '1'
}

AfterAll {
    foreach ($name in $script:saved.Keys) { Set-TestVariable $name $script:saved[$name] }
}

Describe 'Get-EnvConfig' {
    BeforeEach {
        $script:rc = Join-Path $TestDrive 'condarc.yml'
        $env:CONDARC = $rc
        Remove-Item Env:CONDA_CHANNEL_PRIORITY, Env:CONDA_PREFIX -ErrorAction SilentlyContinue
    }

    It 'shows a value from $env:CONDARC with its file and line' {
        Set-Content -Path $rc -Value "# settings`nchannel_priority: strict`nchannels:`n  - conda-forge`n  - bioconda"
        $v = Get-EnvConfig channel_priority
        $v.PSObject.TypeNames[0] | Should -Be 'EnvTools.ConfigValue'
        $v.Key | Should -Be 'channel_priority'
        "$($v.Value)" | Should -Be 'Strict'
        $v.Source | Should -Be $rc
        $v.Line | Should -Be 2
        (Get-EnvConfig channels).Value | Should -Be @('conda-forge', 'bioconda')
    }

    It 'gives conda''s defaults where nothing is configured, and filters keys with wildcards' {
        Set-Content -Path $rc -Value 'offline: true'
        $all = Get-EnvConfig
        ($all | Where-Object Key -eq 'remote_max_retries').Value | Should -Be 3
        ($all | Where-Object Key -eq 'remote_max_retries').Source | Should -Be 'default'
        $remote = Get-EnvConfig 'remote_*'
        $remote.Key | Should -Be @('remote_backoff_factor', 'remote_connect_timeout_secs', 'remote_max_retries', 'remote_read_timeout_secs')
    }

    It 'lets CONDA_* variables override the file' {
        Set-Content -Path $rc -Value 'channel_priority: strict'
        $env:CONDA_CHANNEL_PRIORITY = 'disabled'
        try {
            $v = Get-EnvConfig channel_priority
            "$($v.Value)" | Should -Be 'Disabled'
            $v.Source | Should -Be 'env:CONDA_CHANNEL_PRIORITY'
        }
        finally { Remove-Item Env:CONDA_CHANNEL_PRIORITY }
    }

    It 'reads the .condarc of -Prefix' {
        Set-Content -Path $rc -Value 'offline: false'
        Remove-Item Env:CONDA_RESTRICT_RC_SEARCH_PATH
        $home1 = $env:HOME; $profile1 = $env:USERPROFILE
        try {
            $env:HOME = $env:USERPROFILE = Join-Path $TestDrive 'home'
            New-Item -ItemType Directory -Path (Join-Path $TestDrive 'env1') -Force | Out-Null
            Set-Content -Path (Join-Path $TestDrive 'env1/.condarc') -Value 'always_yes: true'
            (Get-EnvConfig always_yes -Prefix (Join-Path $TestDrive 'env1')).Value | Should -BeTrue
            (Get-EnvConfig always_yes).Value | Should -BeFalse
        }
        finally {
            $env:HOME = $home1; $env:USERPROFILE = $profile1
            $env:CONDA_RESTRICT_RC_SEARCH_PATH = '1'
        }
    }

    It 'masks tokens and passwords' {
        Set-Content -Path $rc -Value "channels:`n  - https://alice:pw-secret@corp.example/t/tok-secret/main"
        $text = Get-EnvConfig channels | Format-Table | Out-String -Width 300
        $text | Should -Not -Match 'secret'
        $text | Should -Match ([regex]::Escape('alice:***@corp.example/t/<TOKEN>/'))
        (Get-EnvConfig channels).Value | Should -Be @('https://alice:***@corp.example/t/<TOKEN>/main')
    }

    It 'fails with InvalidConfiguration naming the file and line for a broken file' {
        Set-Content -Path $rc -Value "offline: true`nchannels: 5"
        $err = $null
        Get-EnvConfig -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidConfiguration,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].Exception.Message | Should -Match ([regex]::Escape("$($rc):2"))
    }

    It 'fails with InvalidConfiguration for invalid YAML' {
        Set-Content -Path $rc -Value "channels:`n  - a`n - b"
        { Get-EnvConfig -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidConfiguration,EnvTools.Commands.GetEnvConfigCommand'
    }

    It 'reports an unknown key name' {
        Set-Content -Path $rc -Value 'offline: true'
        { Get-EnvConfig no_such_key -ErrorAction Stop } | Should -Throw -ErrorId 'ConfigKeyNotFound,EnvTools.Commands.GetEnvConfigCommand'
    }

    It 'warns about unknown keys in a file and keeps going; conda''s keys EnvTools does not use are no warning' {
        Set-Content -Path $rc -Value "no_such_key: 1`nsolver: libmamba`noffline: true"
        $w = $null
        $v = Get-EnvConfig offline -WarningVariable w -WarningAction SilentlyContinue
        $v.Value | Should -BeTrue
        "$w" | Should -Match 'no_such_key'
        "$w" | Should -Not -Match 'solver'
    }
}
