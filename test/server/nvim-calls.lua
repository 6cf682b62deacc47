-- Drives optim-lint's language server from Neovim (headless) across two Python files: model.py builds an optimizer
-- from its method's parameters, train.py calls that method. Opens model.py, then train.py, edits train.py and
-- records model.py's diagnostics at each step as JSON. Inputs: OPTIM_LINT_BIN, OPTIM_LINT_ROOT, OPTIM_LINT_RESULT.
local bin = os.getenv("OPTIM_LINT_BIN")
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

local ok, err = pcall(function()
  local id = vim.lsp.start_client({
    name = "optim-lint",
    cmd = { "node", bin, "server", "--stdio" },
    root_dir = root,
    init_options = { debounceMs = 20 },
  })
  assert(id, "the client did not start")
  local function open(name)
    vim.cmd("edit " .. vim.fn.fnameescape(root .. "/" .. name))
    local buf = vim.api.nvim_get_current_buf()
    vim.bo[buf].filetype = "python"
    assert(vim.lsp.buf_attach_client(buf, id), "the client did not attach")
    return buf
  end
  local function codes(buf)
    local list = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do table.insert(list, (d.code or "") .. "@" .. d.lnum) end
    return list
  end
  local function wait_for(what, test)
    assert(vim.wait(20000, test, 20), "timed out waiting for " .. what)
  end

  local model = open("model.py")
  -- Nothing passes the construction a value yet: give the server time to publish, then read.
  vim.wait(1500, function() return false end, 50)
  out.model_alone = codes(model)
  table.insert(out.steps, "model")

  local train = open("train.py")
  wait_for("model.py's finding from train.py's call", function() return #vim.diagnostic.get(model) > 0 end)
  out.model_with_train = codes(model)
  table.insert(out.steps, "train")

  -- Un-swap the betas in train.py: the finding it caused in model.py goes.
  local lines = vim.api.nvim_buf_get_lines(train, 0, -1, false)
  for i, line in ipairs(lines) do
    if line:match("^beta2 = 0%.9 ") then vim.api.nvim_buf_set_lines(train, i - 1, i, false, { "beta2 = 0.99" }) end
  end
  wait_for("model.py's finding to go after the edit in train.py", function() return #vim.diagnostic.get(model) == 0 end)
  out.model_after_edit = codes(model)
  table.insert(out.steps, "edit")

  vim.lsp.stop_client(id)
end)
finish(not ok and err or nil)
