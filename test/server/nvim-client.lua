-- Drives optim-lint's language server from Neovim's built-in LSP client (headless) and writes what it saw
-- as JSON. Inputs come from the environment: OPTIM_LINT_BIN, OPTIM_LINT_FILE, OPTIM_LINT_ROOT, OPTIM_LINT_RESULT.
-- Written for Neovim 0.7's API (start_client + buf_attach_client), which later versions still provide.
local bin = os.getenv("OPTIM_LINT_BIN")
local file = os.getenv("OPTIM_LINT_FILE")
local root = os.getenv("OPTIM_LINT_ROOT")
local result_path = os.getenv("OPTIM_LINT_RESULT")
local out = { steps = {} }

local function finish(err)
  if err then out.error = tostring(err) end
  local f = assert(io.open(result_path, "w"))
  f:write(vim.json.encode(out))
  f:close()
  vim.cmd("qall!")
end

local started = vim.loop.hrtime()
local function step(name)
  table.insert(out.steps, name)
  out.ms = out.ms or {}
  table.insert(out.ms, math.floor((vim.loop.hrtime() - started) / 1e6))
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = "python"
  local id = vim.lsp.start_client({
    name = "optim-lint",
    cmd = { "node", bin, "server", "--stdio" },
    root_dir = root,
    init_options = { debounceMs = 20 },
  })
  assert(id, "the client did not start")
  assert(vim.lsp.buf_attach_client(buf, id), "the client did not attach")
  local client = vim.lsp.get_client_by_id(id)

  local function diagnostics()
    local list = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local lsp = (d.user_data or {}).lsp or {}
      table.insert(list, { code = d.code or lsp.code, line = d.lnum, col = d.col, severity = d.severity, message = d.message })
    end
    return list
  end
  local function wait_for(what, test)
    assert(vim.wait(20000, test, 20), "timed out waiting for " .. what)
  end
  local function text() return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n") end

  wait_for("the first diagnostics", function() return #vim.diagnostic.get(buf) > 0 end)
  out.initial = diagnostics()
  step("diagnostics")

  local d = vim.diagnostic.get(buf)[1]
  local uri = vim.uri_from_bufnr(buf)
  local hover = client.request_sync("textDocument/hover", { textDocument = { uri = uri }, position = { line = d.lnum, character = d.col } }, 10000, buf)
  out.hover = hover and hover.result and hover.result.contents.value
  step("hover")

  local range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } }
  local function code_actions(only)
    local context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, d.lnum) }
    if only then context.only = only end
    local response = client.request_sync("textDocument/codeAction", { textDocument = { uri = uri }, range = range, context = context }, 10000, buf)
    assert(response and response.result, "no code actions: " .. vim.inspect(response))
    return response.result
  end
  local actions = code_actions(nil)
  out.actions = {}
  local preferred
  for _, action in ipairs(actions) do
    table.insert(out.actions, { title = action.title, kind = action.kind })
    if action.isPreferred then preferred = action end
  end
  assert(preferred, "no preferred quick fix")
  vim.lsp.util.apply_workspace_edit(preferred.edit, client.offset_encoding)
  out.fixed_text = text()
  wait_for("the diagnostics to clear after the quick fix", function() return #vim.diagnostic.get(buf) == 0 end)
  step("quickfix")

  vim.cmd("silent undo")
  wait_for("the finding to come back after undo", function() return #vim.diagnostic.get(buf) > 0 end)
  local fix_all = code_actions({ "source.fixAll" })
  assert(#fix_all == 1, "expected one fix-all action, got " .. #fix_all)
  vim.lsp.util.apply_workspace_edit(fix_all[1].edit, client.offset_encoding)
  out.fix_all_text = text()
  wait_for("the diagnostics to clear after fix-all", function() return #vim.diagnostic.get(buf) == 0 end)
  step("fixall")

  vim.cmd("silent undo")
  wait_for("the finding to come back after the second undo", function() return #vim.diagnostic.get(buf) > 0 end)
  local config = root .. "/optim-lint.toml"
  local f = assert(io.open(config, "w"))
  f:write('[rules]\nsgd-missing-nesterov = "off"\n')
  f:close()
  client.notify("workspace/didChangeWatchedFiles", { changes = { { uri = vim.uri_from_fname(config), type = 1 } } })
  wait_for("the diagnostics to drop after the configuration turned the rule off", function() return #vim.diagnostic.get(buf) == 0 end)
  step("config")

  vim.lsp.stop_client(id)
end)
finish(not ok and err or nil)
