import * as __typia_transform__isFormatUuid from "typia/lib/internal/_isFormatUuid";
import * as __typia_transform__isTypeInt64 from "typia/lib/internal/_isTypeInt64";
import * as __typia_transform__isFormatDateTime from "typia/lib/internal/_isFormatDateTime";
import * as __typia_transform__assertGuard from "typia/lib/internal/_assertGuard";
import * as __typia_transform__accessExpressionAsString from "typia/lib/internal/_accessExpressionAsString";
import { type tags } from 'typia';
type Uuid = string & tags.Format<'uuid'>;
type DateTime = string & tags.Format<'date-time'>;
export interface AttachmentEnvelope {
    'versioned_object.name': 'Attachment';
    'versioned_object.namespace': 'versionedobjects';
    'versioned_object.version': '1.0';
    'versioned_object.changes'?: string[];
    'versioned_object.data': {
        id: Uuid;
        instance_uuid: Uuid;
        mountpoint: string;
        attached_at: DateTime;
    };
}
export interface VolumeEnvelope {
    'versioned_object.name': 'Volume';
    'versioned_object.namespace': 'versionedobjects';
    'versioned_object.version': '1.1';
    'versioned_object.changes'?: string[];
    'versioned_object.data': {
        id: Uuid;
        name: string;
        description: string | null;
        size: number & tags.Type<'int64'>;
        status: 'creating' | 'available' | 'in-use' | 'deleting' | 'error';
        bootable: boolean;
        created_at: DateTime;
        metadata: Record<string, string>;
        tags: string[];
        attachments: AttachmentEnvelope[];
    };
}
export const assertVolumeEnvelope = (() => { const _io0 = (input: any): boolean => "Volume" === input["versioned_object.name"] && "versionedobjects" === input["versioned_object.namespace"] && "1.1" === input["versioned_object.version"] && (undefined === input["versioned_object.changes"] || Array.isArray(input["versioned_object.changes"]) && input["versioned_object.changes"].every((elem: any) => "string" === typeof elem)) && ("object" === typeof input["versioned_object.data"] && null !== input["versioned_object.data"] && _io1(input["versioned_object.data"])); const _io1 = (input: any): boolean => "string" === typeof input.id && __typia_transform__isFormatUuid._isFormatUuid(input.id) && "string" === typeof input.name && (null === input.description || "string" === typeof input.description) && ("number" === typeof input.size && __typia_transform__isTypeInt64._isTypeInt64(input.size)) && ("creating" === input.status || "available" === input.status || "in-use" === input.status || "deleting" === input.status || "error" === input.status) && "boolean" === typeof input.bootable && ("string" === typeof input.created_at && __typia_transform__isFormatDateTime._isFormatDateTime(input.created_at)) && ("object" === typeof input.metadata && null !== input.metadata && false === Array.isArray(input.metadata) && _io2(input.metadata)) && (Array.isArray(input.tags) && input.tags.every((elem: any) => "string" === typeof elem)) && (Array.isArray(input.attachments) && input.attachments.every((elem: any) => "object" === typeof elem && null !== elem && _io3(elem))); const _io2 = (input: any): boolean => Object.keys(input).every((key: any) => {
    const value = input[key];
    if (undefined === value)
        return true;
    return "string" === typeof value;
}); const _io3 = (input: any): boolean => "Attachment" === input["versioned_object.name"] && "versionedobjects" === input["versioned_object.namespace"] && "1.0" === input["versioned_object.version"] && (undefined === input["versioned_object.changes"] || Array.isArray(input["versioned_object.changes"]) && input["versioned_object.changes"].every((elem: any) => "string" === typeof elem)) && ("object" === typeof input["versioned_object.data"] && null !== input["versioned_object.data"] && _io4(input["versioned_object.data"])); const _io4 = (input: any): boolean => "string" === typeof input.id && __typia_transform__isFormatUuid._isFormatUuid(input.id) && ("string" === typeof input.instance_uuid && __typia_transform__isFormatUuid._isFormatUuid(input.instance_uuid)) && "string" === typeof input.mountpoint && ("string" === typeof input.attached_at && __typia_transform__isFormatDateTime._isFormatDateTime(input.attached_at)); const _ao0 = (input: any, _path: string, _exceptionable: boolean = true): boolean => ("Volume" === input["versioned_object.name"] || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.name\"]",
    expected: "\"Volume\"",
    value: input["versioned_object.name"]
}, _errorFactory)) && ("versionedobjects" === input["versioned_object.namespace"] || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.namespace\"]",
    expected: "\"versionedobjects\"",
    value: input["versioned_object.namespace"]
}, _errorFactory)) && ("1.1" === input["versioned_object.version"] || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.version\"]",
    expected: "\"1.1\"",
    value: input["versioned_object.version"]
}, _errorFactory)) && (undefined === input["versioned_object.changes"] || (Array.isArray(input["versioned_object.changes"]) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.changes\"]",
    expected: "(Array<string> | undefined)",
    value: input["versioned_object.changes"]
}, _errorFactory)) && input["versioned_object.changes"].every((elem: any, _index5: number) => "string" === typeof elem || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.changes\"][" + _index5 + "]",
    expected: "string",
    value: elem
}, _errorFactory)) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.changes\"]",
    expected: "(Array<string> | undefined)",
    value: input["versioned_object.changes"]
}, _errorFactory)) && (("object" === typeof input["versioned_object.data"] && null !== input["versioned_object.data"] || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.data\"]",
    expected: "__type",
    value: input["versioned_object.data"]
}, _errorFactory)) && _ao1(input["versioned_object.data"], _path + "[\"versioned_object.data\"]", true && _exceptionable) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.data\"]",
    expected: "__type",
    value: input["versioned_object.data"]
}, _errorFactory)); const _ao1 = (input: any, _path: string, _exceptionable: boolean = true): boolean => ("string" === typeof input.id && (__typia_transform__isFormatUuid._isFormatUuid(input.id) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".id",
    expected: "string & Format<\"uuid\">",
    value: input.id
}, _errorFactory)) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".id",
    expected: "(string & Format<\"uuid\">)",
    value: input.id
}, _errorFactory)) && ("string" === typeof input.name || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".name",
    expected: "string",
    value: input.name
}, _errorFactory)) && (null === input.description || "string" === typeof input.description || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".description",
    expected: "(null | string)",
    value: input.description
}, _errorFactory)) && ("number" === typeof input.size && (__typia_transform__isTypeInt64._isTypeInt64(input.size) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".size",
    expected: "number & Type<\"int64\">",
    value: input.size
}, _errorFactory)) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".size",
    expected: "(number & Type<\"int64\">)",
    value: input.size
}, _errorFactory)) && ("creating" === input.status || "available" === input.status || "in-use" === input.status || "deleting" === input.status || "error" === input.status || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".status",
    expected: "(\"available\" | \"creating\" | \"deleting\" | \"error\" | \"in-use\")",
    value: input.status
}, _errorFactory)) && ("boolean" === typeof input.bootable || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".bootable",
    expected: "boolean",
    value: input.bootable
}, _errorFactory)) && ("string" === typeof input.created_at && (__typia_transform__isFormatDateTime._isFormatDateTime(input.created_at) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".created_at",
    expected: "string & Format<\"date-time\">",
    value: input.created_at
}, _errorFactory)) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".created_at",
    expected: "(string & Format<\"date-time\">)",
    value: input.created_at
}, _errorFactory)) && (("object" === typeof input.metadata && null !== input.metadata && false === Array.isArray(input.metadata) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".metadata",
    expected: "Record<string, string>",
    value: input.metadata
}, _errorFactory)) && _ao2(input.metadata, _path + ".metadata", true && _exceptionable) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".metadata",
    expected: "Record<string, string>",
    value: input.metadata
}, _errorFactory)) && ((Array.isArray(input.tags) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".tags",
    expected: "Array<string>",
    value: input.tags
}, _errorFactory)) && input.tags.every((elem: any, _index6: number) => "string" === typeof elem || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".tags[" + _index6 + "]",
    expected: "string",
    value: elem
}, _errorFactory)) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".tags",
    expected: "Array<string>",
    value: input.tags
}, _errorFactory)) && ((Array.isArray(input.attachments) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".attachments",
    expected: "Array<AttachmentEnvelope>",
    value: input.attachments
}, _errorFactory)) && input.attachments.every((elem: any, _index7: number) => ("object" === typeof elem && null !== elem || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".attachments[" + _index7 + "]",
    expected: "AttachmentEnvelope",
    value: elem
}, _errorFactory)) && _ao3(elem, _path + ".attachments[" + _index7 + "]", true && _exceptionable) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".attachments[" + _index7 + "]",
    expected: "AttachmentEnvelope",
    value: elem
}, _errorFactory)) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".attachments",
    expected: "Array<AttachmentEnvelope>",
    value: input.attachments
}, _errorFactory)); const _ao2 = (input: any, _path: string, _exceptionable: boolean = true): boolean => false === _exceptionable || Object.keys(input).every((key: any) => {
    const value = input[key];
    if (undefined === value)
        return true;
    return "string" === typeof value || __typia_transform__assertGuard._assertGuard(_exceptionable, {
        method: "typia.createAssert",
        path: _path + __typia_transform__accessExpressionAsString._accessExpressionAsString(key),
        expected: "string",
        value: value
    }, _errorFactory);
}); const _ao3 = (input: any, _path: string, _exceptionable: boolean = true): boolean => ("Attachment" === input["versioned_object.name"] || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.name\"]",
    expected: "\"Attachment\"",
    value: input["versioned_object.name"]
}, _errorFactory)) && ("versionedobjects" === input["versioned_object.namespace"] || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.namespace\"]",
    expected: "\"versionedobjects\"",
    value: input["versioned_object.namespace"]
}, _errorFactory)) && ("1.0" === input["versioned_object.version"] || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.version\"]",
    expected: "\"1.0\"",
    value: input["versioned_object.version"]
}, _errorFactory)) && (undefined === input["versioned_object.changes"] || (Array.isArray(input["versioned_object.changes"]) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.changes\"]",
    expected: "(Array<string> | undefined)",
    value: input["versioned_object.changes"]
}, _errorFactory)) && input["versioned_object.changes"].every((elem: any, _index8: number) => "string" === typeof elem || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.changes\"][" + _index8 + "]",
    expected: "string",
    value: elem
}, _errorFactory)) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.changes\"]",
    expected: "(Array<string> | undefined)",
    value: input["versioned_object.changes"]
}, _errorFactory)) && (("object" === typeof input["versioned_object.data"] && null !== input["versioned_object.data"] || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.data\"]",
    expected: "__type.o8",
    value: input["versioned_object.data"]
}, _errorFactory)) && _ao4(input["versioned_object.data"], _path + "[\"versioned_object.data\"]", true && _exceptionable) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + "[\"versioned_object.data\"]",
    expected: "__type.o8",
    value: input["versioned_object.data"]
}, _errorFactory)); const _ao4 = (input: any, _path: string, _exceptionable: boolean = true): boolean => ("string" === typeof input.id && (__typia_transform__isFormatUuid._isFormatUuid(input.id) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".id",
    expected: "string & Format<\"uuid\">",
    value: input.id
}, _errorFactory)) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".id",
    expected: "(string & Format<\"uuid\">)",
    value: input.id
}, _errorFactory)) && ("string" === typeof input.instance_uuid && (__typia_transform__isFormatUuid._isFormatUuid(input.instance_uuid) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".instance_uuid",
    expected: "string & Format<\"uuid\">",
    value: input.instance_uuid
}, _errorFactory)) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".instance_uuid",
    expected: "(string & Format<\"uuid\">)",
    value: input.instance_uuid
}, _errorFactory)) && ("string" === typeof input.mountpoint || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".mountpoint",
    expected: "string",
    value: input.mountpoint
}, _errorFactory)) && ("string" === typeof input.attached_at && (__typia_transform__isFormatDateTime._isFormatDateTime(input.attached_at) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".attached_at",
    expected: "string & Format<\"date-time\">",
    value: input.attached_at
}, _errorFactory)) || __typia_transform__assertGuard._assertGuard(_exceptionable, {
    method: "typia.createAssert",
    path: _path + ".attached_at",
    expected: "(string & Format<\"date-time\">)",
    value: input.attached_at
}, _errorFactory)); const __is = (input: any): input is VolumeEnvelope => "object" === typeof input && null !== input && _io0(input); let _errorFactory: any; return (input: any, errorFactory?: (p: import("typia").TypeGuardError.IProps) => Error): VolumeEnvelope => {
    if (false === __is(input)) {
        _errorFactory = errorFactory;
        ((input: any, _path: string, _exceptionable: boolean = true) => ("object" === typeof input && null !== input || __typia_transform__assertGuard._assertGuard(true, {
            method: "typia.createAssert",
            path: _path + "",
            expected: "VolumeEnvelope",
            value: input
        }, _errorFactory)) && _ao0(input, _path + "", true) || __typia_transform__assertGuard._assertGuard(true, {
            method: "typia.createAssert",
            path: _path + "",
            expected: "VolumeEnvelope",
            value: input
        }, _errorFactory))(input, "$input", true);
    }
    return input;
}; })();
