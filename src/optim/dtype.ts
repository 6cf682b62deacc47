/**
 * The default floating-point dtype, as `torch.set_default_dtype` sets it. Parameters are whatever typed
 * arrays the caller passes; this only decides the precision of the scalar state torch keeps in a tensor of
 * the default dtype (NAdam's `mu_product`), so that runs under `torch.set_default_dtype(torch.float64)`
 * can be matched exactly.
 */
import { ValueError } from "./errors.js";

export type Dtype = "float32" | "float64";

let defaultDtype: Dtype = "float32";

/** Sets the default dtype for optimizers constructed afterwards (torch's default is float32). */
export function setDefaultDtype(dtype: Dtype): void {
  if (dtype !== "float32" && dtype !== "float64") throw new ValueError(`Unsupported default dtype: ${String(dtype)} (float32 or float64)`);
  defaultDtype = dtype;
}

/** The current default dtype. */
export function getDefaultDtype(): Dtype {
  return defaultDtype;
}

/** Rounds a scalar to the precision of a dtype. */
export function roundTo(dtype: Dtype, value: number): number {
  return dtype === "float32" ? Math.fround(value) : value;
}
