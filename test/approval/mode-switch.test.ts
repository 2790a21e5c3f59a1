import { describe, expect, it } from "vitest";
import { leavePlanMode, modeLabel, nextMode, switchMode, togglePlanMode, type ModeHolder } from "../../src/approval/mode-switch.js";

describe("switching the permission mode (/plan, Shift+Tab, an approved plan)", () => {
  it("Shift+Tab cycles default → acceptEdits → plan → default; a mode outside the cycle starts it again", () => {
    expect([nextMode("default"), nextMode("acceptEdits"), nextMode("plan")]).toEqual(["acceptEdits", "plan", "default"]);
    expect([nextMode("bypassPermissions"), nextMode("dontAsk")]).toEqual(["default", "default"]);
  });

  it("leaving plan mode returns to the mode it was entered from, default when it started there", () => {
    const holder: ModeHolder = { permissionMode: "acceptEdits" };
    switchMode(holder, "plan");
    // Switching to plan again must not forget where it came from.
    switchMode(holder, "plan");
    expect(holder).toEqual({ permissionMode: "plan", modeBeforePlan: "acceptEdits" });
    expect(leavePlanMode(holder)).toBe("acceptEdits");
    expect(holder.permissionMode).toBe("acceptEdits");
    const started: ModeHolder = { permissionMode: "plan" };
    expect(leavePlanMode(started)).toBe("default");
  });

  it("/plan toggles and says the mode now; the prompt's label names every mode but default", () => {
    const holder: ModeHolder = { permissionMode: "default" };
    expect(togglePlanMode(holder)).toMatch(/^Plan mode: the model looks and plans, changes nothing/);
    expect(holder.permissionMode).toBe("plan");
    expect(togglePlanMode(holder)).toBe("Permission mode default. Shift+Tab switches mode (accept edits, plan).");
    expect(holder.permissionMode).toBe("default");
    expect([modeLabel("default"), modeLabel("plan"), modeLabel("acceptEdits")]).toEqual([undefined, "plan", "accept edits"]);
  });
});
