-- Neovim (0.7, Debian's) as a real LSP client of kube-routes-language-server, headless.
-- Attaches the server to the current buffer, waits for its diagnostics, asks a hover, applies
-- the "Assign a free cluster IP" code action, waits for the diagnostics to clear, and writes
-- what it saw as JSON for the test to assert on. Exits non-zero on any failure.
--   KR_SERVER=/abs/bin KR_OUT=/abs/out.json KR_ROOT=/abs/ws nvim --headless -u kube-routes.lua FILE
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'
vim.cmd('filetype on')

local server = assert(os.getenv('KR_SERVER'), 'KR_SERVER unset')
local out = assert(os.getenv('KR_OUT'), 'KR_OUT unset')
local root = assert(os.getenv('KR_ROOT'), 'KR_ROOT unset')
local timeout = tonumber(os.getenv('KR_TIMEOUT_MS') or '20000')
local steps = {}
-- Work-done progress as Neovim's own handler receives it (and still shows it).
local progress = {}
local default_progress = vim.lsp.handlers['$/progress']
vim.lsp.handlers['$/progress'] = function(err, result, ctx, config)
  local v = result and result.value or {}
  table.insert(progress, { kind = v.kind, title = v.title or vim.NIL, percentage = v.percentage or vim.NIL })
  return default_progress(err, result, ctx, config)
end

local function finish(result, ok)
  result.steps = steps
  result.progress = progress
  local f = assert(io.open(out, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.lsp.stop_client(vim.lsp.get_active_clients())
  vim.wait(3000, function() return #vim.lsp.get_active_clients() == 0 end, 20)
  vim.cmd(ok and 'qall!' or 'cquit! 1')
end

local function codes(bufnr)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(list, { code = lsp.code or d.code, source = d.source, lnum = d.lnum, col = d.col, end_col = d.end_col, message = d.message,
      href = lsp.codeDescription and lsp.codeDescription.href or vim.NIL, related = lsp.relatedInformation or {} })
  end
  return list
end

local function has_code(bufnr, code)
  for _, d in ipairs(codes(bufnr)) do if d.code == code then return true end end
  return false
end

local function run()
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'kube-routes',
    cmd = { 'node', server, '--stdio' },
    root_dir = root,
    settings = { kubeRoutes = { debounceMs = 0 } },
    on_init = function() table.insert(steps, 'initialized') end,
  })
  if not client_id then return finish({ error = 'start_client failed' }, false) end
  vim.lsp.buf_attach_client(bufnr, client_id)

  -- 1) the duplicate against the closed file arrives as a diagnostic
  if not vim.wait(timeout, function() return has_code(bufnr, 'duplicate-cluster-ip') end, 20) then
    return finish({ error = 'no duplicate-cluster-ip diagnostic', diagnostics = codes(bufnr) }, false)
  end
  local before = codes(bufnr)
  table.insert(steps, 'diagnostics')

  -- 2) hover on the cluster IP
  local d = vim.diagnostic.get(bufnr)[1]
  local position = { line = d.lnum, character = d.col + 2 }
  local resp = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = position }, timeout)
  local hover = resp and resp[client_id] and resp[client_id].result or vim.NIL
  table.insert(steps, 'hover')

  -- 3) the code action, applied the way :lua vim.lsp.buf.code_action() applies an edit
  local client = vim.lsp.get_client_by_id(client_id)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
    context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, d.lnum) },
  }
  local actions = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, timeout)
  local titles, chosen = {}, nil
  for _, action in ipairs(actions and actions[client_id] and actions[client_id].result or {}) do
    table.insert(titles, action.title)
    if not chosen and action.title:find('^Assign a free cluster IP') then chosen = action end
  end
  if not chosen then return finish({ error = 'no assign action', titles = titles, diagnostics = before }, false) end
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  table.insert(steps, 'applied')

  -- 4) the server re-checks the edited buffer: the duplicate is gone
  local cleared = vim.wait(timeout, function() return not has_code(bufnr, 'duplicate-cluster-ip') end, 20)
  finish({
    diagnostics_before = before,
    hover = hover,
    actions = titles,
    chosen = chosen.title,
    line_after = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, false)[1],
    diagnostics_after = codes(bufnr),
  }, cleared and hover ~= vim.NIL)
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    local ok, e = pcall(run)
    if not ok then
      local f = io.open(out, 'w'); if f then f:write(vim.fn.json_encode({ error = tostring(e), steps = steps })); f:close() end
      vim.cmd('cquit! 2')
    end
  end,
})
