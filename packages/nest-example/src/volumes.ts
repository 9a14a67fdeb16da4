// A NestJS controller whose request bodies and responses are versioned objects.
// - `import '@versioned/objects/class-transformer'` (once, anywhere) lets class-transformer, which Nest's
//   ValidationPipe and ClassSerializerInterceptor use, read and build the objects' fields;
// - ValidationPipe({ transform: true }) turns the JSON body into a Volume (every value checked as it is
//   assigned); VersionedErrorFilter answers a VersionedError with 400 and the field's path;
// - ClassSerializerInterceptor answers a Volume with its set fields (what volume.toPlain() gives).
import '@versioned/objects/class-transformer';
import {
  Body,
  Catch,
  ClassSerializerInterceptor,
  Controller,
  Get,
  HttpStatus,
  Module,
  NotFoundException,
  Param,
  Post,
  UseInterceptors,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { ObjectRegistry, OptionalFields, VersionedError, VersionedObject, f, field, versionedObject } from '@versioned/objects';

export const registry = new ObjectRegistry();

@versionedObject({ name: 'NestAttachment', version: '1.0', registry })
export class Attachment extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.string()) declare mountpoint: string;
  @field(f.dateTime()) declare attached_at: Date;
}

@versionedObject({ name: 'NestVolume', version: '1.0', registry })
export class Volume extends VersionedObject {
  declare [OptionalFields]?: 'status' | 'attachments';
  @field(f.uuid()) declare id: string;
  @field(f.string()) declare name: string;
  @field(f.nonNegativeInteger()) declare size: number;
  @field(f.enum(['creating', 'available', 'in-use'] as const), { default: 'creating' }) declare status: 'creating' | 'available' | 'in-use';
  @field(f.listOfObjects<Attachment>('NestAttachment'), { default: [] }) declare attachments: Attachment[];
}

/** A VersionedError (a bad value, an unknown field) is the client's mistake: 400, with the code and the path. */
@Catch(VersionedError)
export class VersionedErrorFilter implements ExceptionFilter {
  catch(error: VersionedError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    response.status(HttpStatus.BAD_REQUEST).json({ statusCode: 400, error: error.code, path: error.pathString, message: error.message });
  }
}

@Controller('volumes')
@UseInterceptors(ClassSerializerInterceptor)
export class VolumesController {
  private readonly volumes = new Map<string, Volume>();

  @Post()
  create(@Body() volume: Volume): Volume {
    // The pipe built a Volume from the body; the defaults the body left out are set here.
    volume.setDefaults();
    this.volumes.set(volume.id, volume);
    return volume;
  }

  @Get(':id')
  get(@Param('id') id: string): Volume {
    const volume = this.volumes.get(id);
    if (!volume) throw new NotFoundException(`no volume ${id}`);
    return volume;
  }
}

@Module({ controllers: [VolumesController] })
export class VolumesModule {}
